-- Inferred for Altinity/clickhouse-grafana dashboard-gh-api.json, whose datasource is ClickHouse's public
-- playground (gh-api.clickhouse.tech, user play) and its github_events table: the columns the panel and
-- its Altinity target settings read, with the types of ClickHouse's published github_events DDL
-- (repo_name LowCardinality(String), event_type Enum8, created_at / closed_at DateTime).
CREATE TABLE IF NOT EXISTS default.github_events (
    event_type Enum8('CommitCommentEvent' = 1, 'CreateEvent' = 2, 'DeleteEvent' = 3, 'ForkEvent' = 4,
        'GollumEvent' = 5, 'IssueCommentEvent' = 6, 'IssuesEvent' = 7, 'MemberEvent' = 8, 'PublicEvent' = 9,
        'PullRequestEvent' = 10, 'PullRequestReviewCommentEvent' = 11, 'PushEvent' = 12, 'ReleaseEvent' = 13,
        'SponsorshipEvent' = 14, 'WatchEvent' = 15, 'GistEvent' = 16, 'FollowEvent' = 17, 'DownloadEvent' = 18,
        'PullRequestReviewEvent' = 19, 'ForkApplyEvent' = 20, 'Event' = 21, 'TeamAddEvent' = 22),
    actor_login LowCardinality(String),
    repo_name LowCardinality(String),
    created_at DateTime,
    updated_at DateTime,
    closed_at DateTime
) ENGINE = MergeTree
ORDER BY (event_type, repo_name, created_at);
