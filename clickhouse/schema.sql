-- Tables read by the dashboards in dashboards/ and the alert rules in alerts/.
--
-- frontend_events is the single wide event table of the AI chat product: one row per
-- client-side event (session start and end, page views, chat threads, prompts, model
-- responses, feedback, feature use, sign-ups). Chat metrics live on the row of the
-- event that produced them: prompt_submitted carries prompt_tokens, response_received
-- carries both token counts, cost_usd, response_time_ms, is_error and quality_score,
-- feedback carries rating.
--
-- Partitioned by day: every panel filters with $__timeFilter(timestamp), so the
-- partition MinMax index drops the days outside the dashboard range.
-- ORDER BY (event_type, timestamp, user_id): nearly every panel also filters on
-- event_type, and inside the first and last day of the range the primary key then skips
-- the granules outside the time window. The optional user filter uses the bloom filter.
-- signup_date is copied onto every row of a registered user (1970-01-01 for anonymous
-- visitors) so cohort panels need no join.

CREATE TABLE IF NOT EXISTS frontend_events
(
    timestamp          DateTime,
    event_id           UInt64,
    event_type         LowCardinality(String),
    user_id            String,
    session_id         String,
    thread_id          String,
    page               LowCardinality(String),
    feature            LowCardinality(String),
    model              LowCardinality(String),
    prompt_category    LowCardinality(String),
    prompt_pattern     LowCardinality(String),
    turn_index         UInt16,
    is_follow_up       UInt8,
    prompt_tokens      UInt32,
    completion_tokens  UInt32,
    cost_usd           Float64,
    response_time_ms   UInt32,
    is_error           UInt8,
    error_code         LowCardinality(String),
    quality_score      Float32,
    rating             Int8,
    platform           LowCardinality(String),
    country            LowCardinality(String),
    plan               LowCardinality(String),
    signup_date        Date,
    INDEX idx_user_id user_id TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = MergeTree
PARTITION BY toDate(timestamp)
ORDER BY (event_type, timestamp, user_id);
