-- Deterministic synthetic data for frontend_events: 91 days, 2026-08-29 00:00 to
-- 2026-11-27 23:59 UTC. Every value comes from cityHash64 of row numbers (no rand(),
-- no now()), so row counts and EXPLAIN cost estimates are the same on every run.
--
-- Shape of the data:
--   * 20,000 registered users picked with a power law (a few heavy users, a long tail
--     of light ones), each with a sign-up day between 40 days before the window and its
--     last day. Users who signed up inside the window are active mostly soon after
--     signing up, and 45 % of them only in their first days, which gives the cohort
--     retention panels their decay (about 40 % of a cohort is back in week 1).
--   * 110,000 activity sessions: more traffic on weekdays and in the afternoon (UTC),
--     2 to 21 events a session: session_start, a page view, chat threads of prompt,
--     response and a follow-up action (feedback, feature use, copy, page view), and
--     session_end. Response times grow with prompt and completion tokens and vary
--     by model. About 1.5 % of responses fail, more for long prompts and some models.
--   * An upstream incident on 2026-11-24 10:00-11:30 UTC: every model slows down and
--     fails more often, gemini-1.5-pro most (seen in the error-rate, response-time and
--     health panels, and by the alert rules).
--   * 50,000 acquisition visits: anonymous visitors who leave after the landing,
--     pricing or sign-up page, and the sign-up session of every user who signed up in
--     the window (landing, sign-up, onboarding, first chat, first prompt and response,
--     sometimes feedback). These feed the acquisition funnel.
--
-- About 1.1 million rows in 91 daily partitions, loaded in about 2 s on 2 cores. ClickHouse
-- refuses more than 100 partitions in one INSERT block by default, so each INSERT raises
-- max_partitions_per_insert_block: a longer window then still loads.

INSERT INTO frontend_events
(
    timestamp, event_id, event_type, user_id, session_id, thread_id, page, feature,
    model, prompt_category, prompt_pattern, turn_index, is_follow_up, prompt_tokens,
    completion_tokens, cost_usd, response_time_ms, is_error, error_code, quality_score,
    rating, platform, country, plan, signup_date
)
SETTINGS max_partitions_per_insert_block = 1000, max_insert_threads = 2
WITH
    ['session_start', 'session_end', 'page_view', 'chat_started', 'prompt_submitted', 'response_received', 'feedback', 'feature_used', 'response_copied'] AS event_names,
    ['gpt-4o', 'gpt-4o-mini', 'claude-3.5-sonnet', 'gemini-1.5-pro', 'llama-3.1-70b', 'mistral-large'] AS models,
    [110, 160, 95, 120, 140, 90] AS model_tokens_per_s,
    [450, 300, 600, 700, 350, 500] AS model_first_token_ms,
    [2.5, 0.15, 3.0, 1.25, 0.9, 2.0] AS model_input_usd_per_m,
    [10.0, 0.6, 15.0, 5.0, 0.9, 6.0] AS model_output_usd_per_m,
    [120, 80, 100, 200, 300, 150] AS model_error_bp,
    [0.86, 0.78, 0.88, 0.82, 0.76, 0.79] AS model_quality,
    ['coding', 'writing', 'question_answering', 'data_analysis', 'summarization', 'translation', 'brainstorming', 'math'] AS categories,
    [5.6, 4.9, 4.0, 6.2, 7.0, 5.3, 4.2, 4.5] AS category_prompt_mu,
    [6.2, 6.0, 5.3, 6.0, 5.5, 5.4, 6.1, 5.8] AS category_completion_mu,
    [0.03, 0, 0, 0, 0, 0, 0, 0.08] AS category_quality_penalty,
    [
        ['fix this error', 'write a function that', 'explain this code', 'convert code to another language'],
        ['draft an email', 'rewrite in a professional tone', 'write a blog post about', 'proofread this text'],
        ['what is', 'how do I', 'compare two options', 'why does'],
        ['analyze this CSV', 'build a chart from data', 'find trends in', 'write a SQL query'],
        ['summarize this document', 'summarize this article', 'extract key points', 'summarize meeting notes'],
        ['translate to Spanish', 'translate to English', 'translate to German', 'localize UI strings'],
        ['give me ideas for', 'suggest names for', 'plan a trip to', 'pros and cons of'],
        ['solve this equation', 'explain this proof', 'calculate', 'step-by-step solution']
    ] AS category_patterns,
    ['make it shorter', 'explain in more detail', 'try again', 'that is wrong, fix it'] AS follow_up_patterns,
    ['file_upload', 'web_search', 'code_interpreter', 'image_generation', 'voice_mode', 'custom_instructions', 'share_link', 'export'] AS features,
    ['history', 'explore', 'settings', 'pricing', 'chat'] AS pages,
    ['US', 'US', 'US', 'US', 'US', 'US', 'IN', 'IN', 'IN', 'GB', 'GB', 'DE', 'DE', 'BR', 'BR', 'FR', 'CA', 'JP', 'ES', 'AU', 'NL', 'MX', 'KR', 'PL'] AS countries
SELECT
    ts AS timestamp,
    hk AS event_id,
    event_names[ev] AS event_type,
    user_id,
    session_id,
    if(is_chat_event, lower(hex(hth)), '') AS thread_id,
    multiIf(
        ev = 1, if(home_first, 'home', 'chat'),
        ev = 3 AND k = 1, multiIf(pg < 70, 'chat', pg < 82, 'history', pg < 90, 'explore', pg < 96, 'settings', 'pricing'),
        ev = 3, pages[1 + pg % 5],
        is_chat_event, 'chat',
        ''
    ) AS page,
    multiIf(ev = 8, features[fi], is_chat_event, 'chat', '') AS feature,
    if(is_chat_event, models[mi], '') AS model,
    if(is_turn_event, categories[ci], '') AS prompt_category,
    if(is_turn_event, if(turn_in_thread > 0 AND bitAnd(ht, 1) = 1, follow_up_patterns[pi], category_patterns[ci][pi]), '') AS prompt_pattern,
    if(is_turn_event, turn_in_thread + 1, 0) AS turn_index,
    if(is_turn_event, toUInt8(turn_in_thread > 0), 0) AS is_follow_up,
    if(ev IN (5, 6), p_tokens, 0) AS prompt_tokens,
    if(ev = 6 AND NOT err, c_tokens, 0) AS completion_tokens,
    if(ev = 6, round((p_tokens * model_input_usd_per_m[mi] + if(err, 0, c_tokens) * model_output_usd_per_m[mi]) / 1000000, 6), 0) AS cost_usd,
    if(ev = 6, rt_ms, 0) AS response_time_ms,
    toUInt8(ev = 6 AND err) AS is_error,
    if(ev = 6 AND err, err_code, '') AS error_code,
    if(ev = 6 AND NOT err, quality, 0) AS quality_score,
    if(ev = 7, if(intDiv(ht, 1048576) % 1000 / 1000 < pow(quality, 1.5) + 0.05, 1, -1), 0) AS rating,
    platform,
    country,
    plan,
    signup_date
FROM
(
    -- Each nested SELECT computes its values once and hands them on as columns: the
    -- later stages refer to them many times, and that keeps the load under 3 s.
    SELECT
        *,
        in_incident_window AS incident,
        (model_first_token_ms[mi] + p_tokens * 0.08 + c_tokens * 1000 / model_tokens_per_s[mi]) * exp(0.5 * z3) * if(incident, if(mi = 4, 3, 2.2), 1) AS rt_raw,
        err_roll < model_error_bp[mi] + if(p_tokens > 6000, 1000, 0) + if(incident, if(mi = 4, 4000, 1200), 0) OR rt_raw >= 30000 AS err,
        multiIf(
            rt_raw >= 30000, 'timeout',
            incident AND err_roll < if(mi = 4, 4000, 1200), 'upstream_5xx',
            p_tokens > 6000 AND err_roll < 1000, 'context_length_exceeded',
            code_roll < 25, 'timeout',
            code_roll < 60, 'rate_limited',
            code_roll < 85, 'upstream_5xx',
            'content_filtered'
        ) AS err_code,
        toUInt32(if(err, if(err_code = 'timeout', 30000, 200 + code_roll * 12), rt_raw)) AS rt_ms,
        toFloat32(round(greatest(0, least(1, model_quality[mi] - category_quality_penalty[ci] - if(turn_in_thread > 0, 0.02, 0) - if(incident, 0.1, 0) + 0.14 * (intDiv(ht, 16777216) % 1000 / 1000 - 0.5))), 3)) AS quality,
        -- a response lands response_time after its prompt, which is one slot earlier
        start_ts + k * spacing + if(ev = 6, cityHash64(session_id, k - 1) % 20 + intDiv(rt_ms, 1000) + 1 - spacing, hk % 20) AS ts
    FROM
    (
        SELECT
            *,
            multiIf(mp < 30, 1, mp < 55, 2, mp < 75, 3, mp < 85, 4, mp < 95, 5, 6) AS mi,
            multiIf(cp < 28, 1, cp < 46, 2, cp < 62, 3, cp < 72, 4, cp < 81, 5, cp < 87, 6, cp < 94, 7, 8) AS ci,
            -- three 64-bit hashes, each the sum of four 16-bit slices: close to a standard normal
            ((h1 % 65536) + (intDiv(h1, 65536) % 65536) + (intDiv(h1, 4294967296) % 65536) + intDiv(h1, 281474976710656)) / 65536 - 2 AS z1,
            ((h2 % 65536) + (intDiv(h2, 65536) % 65536) + (intDiv(h2, 4294967296) % 65536) + intDiv(h2, 281474976710656)) / 65536 - 2 AS z2,
            ((h3 % 65536) + (intDiv(h3, 65536) % 65536) + (intDiv(h3, 4294967296) % 65536) + intDiv(h3, 281474976710656)) / 65536 - 2 AS z3,
            least(toUInt32(exp(category_prompt_mu[ci] + 1.55 * z1)) + 5 + turn_in_thread * 350, 120000) AS p_tokens,
            toUInt32(exp(category_completion_mu[ci] + 1.2 * z2)) + 10 AS c_tokens
        FROM
        (
            SELECT
                *,
                cityHash64(session_id, thread_no) AS hth,
                if(hth % 100 < 15, intDiv(hth, 128) % 100, model_pref) AS mp,
                intDiv(hth, 16384) % 100 AS cp,
                cityHash64(session_id, t) AS ht,
                1 + intDiv(ht, 2) % 4 AS pi,
                intDiv(ht, 8) % 10000 AS err_roll,
                intDiv(ht, 131072) % 100 AS code_roll,
                cityHash64(ht) AS h1,
                cityHash64(h1) AS h2,
                cityHash64(h2) AS h3
            FROM
            (
                SELECT
                    *,
                    ev IN (4, 5, 6, 7, 9) AS is_chat_event,
                    ev IN (5, 6, 7) AS is_turn_event,
                    if(ev = 4 AND j > 0, intDiv(t + 1, thread_len), intDiv(t, thread_len)) AS thread_no,
                    t % thread_len AS turn_in_thread
                FROM
                (
                    SELECT
                        k, len, thread_len, spacing, start_ts, in_incident_window, home_first, model_pref,
                        user_id, session_id, platform, country, plan, signup_date,
                        toInt32(k) - 2 AS j,
                        if(j >= 1, intDiv(j - 1, 3), 0) AS t,
                        if(j >= 1, (j - 1) % 3, -1) AS phase,
                        -- one hash per event slot, per turn and per thread, sliced into independent rolls
                        cityHash64(session_id, k) AS hk,
                        hk % 100 AS roll,
                        intDiv(hk, 128) % 100 AS pg,
                        1 + intDiv(hk, 16384) % 8 AS fi,
                        multiIf(
                            k = 0, 1,
                            k = len - 1, 2,
                            k = 1, 3,
                            j = 0, 4,
                            phase = 0, 5,
                            phase = 1, 6,
                            (t + 1) % thread_len = 0, 4,
                            roll < 35, 7,
                            roll < 70, 8,
                            roll < 85, 9,
                            3
                        ) AS ev
                    FROM
                    (
                        SELECT
                            number AS s,
                            toUInt32(floor(20000 * pow((cityHash64(number, 1) % 1000003) / 1000003, 1.7))) AS uix,
                            toInt32(cityHash64(uix, 101) % 131) - 40 AS sd,
                            greatest(sd, 0) AS lo,
                            -- 45 % of the users who sign up inside the window never come back after their first days
                            if(sd >= 0 AND cityHash64(uix, 106) % 100 < 45, least(91 - lo, 5), 91 - lo) AS span,
                            lo + toInt32(floor(span * pow((cityHash64(number, 2) % 1000003) / 1000003, if(sd >= 0, 1.8, 1.0)))) AS d0,
                            toDayOfWeek(toDate('2026-08-29') + d0) AS dow0,
                            -- 45 % of weekend sessions move to a weekday of the same week
                            if(dow0 >= 6 AND cityHash64(number, 3) % 100 < 45 AND d0 - (dow0 - 1) >= lo, d0 - (dow0 - 5) - cityHash64(number, 10) % 5, d0) AS d,
                            toUInt32(floor(((cityHash64(number, 4) % 1000) + (cityHash64(number, 5) % 1000) + (cityHash64(number, 6) % 1000)) / 3000 * 24 + 3)) % 24 AS hr,
                            toDateTime('2026-08-29 00:00:00', 'UTC') + d * 86400 + hr * 3600 + cityHash64(number, 7) % 3600 AS start_ts,
                            start_ts >= toDateTime('2026-11-24 10:00:00', 'UTC') AND start_ts < toDateTime('2026-11-24 11:30:00', 'UTC') AS in_incident_window,
                            2 + toUInt32(floor(20 * pow((cityHash64(number, 8) % 1000003) / 1000003, 1.8))) AS len,
                            1 + cityHash64(number, 9) % 5 AS thread_len,
                            30 + cityHash64(number, 12) % 91 AS spacing,
                            cityHash64(number, 13) % 100 < 40 AS home_first,
                            cityHash64(uix, 104) % 100 AS model_pref,
                            concat('u-', leftPad(toString(uix), 6, '0')) AS user_id,
                            lower(hex(cityHash64(number, 'session'))) AS session_id,
                            multiIf(cityHash64(uix, 102) % 100 < 55, 'web', cityHash64(uix, 102) % 100 < 75, 'ios', cityHash64(uix, 102) % 100 < 90, 'android', 'desktop') AS platform,
                            countries[1 + cityHash64(uix, 103) % length(countries)] AS country,
                            multiIf(cityHash64(uix, 105) % 100 < 70, 'free', cityHash64(uix, 105) % 100 < 92, 'plus', cityHash64(uix, 105) % 100 < 98, 'team', 'enterprise') AS plan,
                            toDate('2026-08-29') + sd AS signup_date
                        FROM numbers_mt(110000)
                    )
                    ARRAY JOIN range(len) AS k
                )
            )
        )
    )
)
WHERE ts < toDateTime('2026-11-28 00:00:00', 'UTC');

INSERT INTO frontend_events
(
    timestamp, event_id, event_type, user_id, session_id, thread_id, page, feature,
    model, prompt_category, prompt_pattern, turn_index, is_follow_up, prompt_tokens,
    completion_tokens, cost_usd, response_time_ms, is_error, error_code, quality_score,
    rating, platform, country, plan, signup_date
)
SETTINGS max_partitions_per_insert_block = 1000, max_insert_threads = 2
WITH
    ['coding', 'writing', 'question_answering', 'data_analysis', 'summarization', 'translation', 'brainstorming', 'math'] AS categories,
    ['fix this error', 'draft an email', 'what is', 'analyze this CSV', 'summarize this document', 'translate to English', 'give me ideas for', 'solve this equation'] AS first_patterns,
    ['US', 'US', 'US', 'US', 'US', 'US', 'IN', 'IN', 'IN', 'GB', 'GB', 'DE', 'DE', 'BR', 'BR', 'FR', 'CA', 'JP', 'ES', 'AU', 'NL', 'MX', 'KR', 'PL'] AS countries,
    ['landing', 'signup', 'signup', 'onboarding', 'chat', 'chat', 'chat', 'chat'] AS member_pages,
    ['page_view', 'page_view', 'signup', 'page_view', 'chat_started', 'prompt_submitted', 'response_received', 'feedback'] AS member_steps,
    ['landing', 'pricing', 'signup'] AS visitor_pages
SELECT
    ts AS timestamp,
    cityHash64(v, k, 'acquisition') AS event_id,
    if(is_member, member_steps[k + 1], 'page_view') AS event_type,
    if(is_member, concat('u-', leftPad(toString(v), 6, '0')), '') AS user_id,
    lower(hex(cityHash64(v, 'acquisition'))) AS session_id,
    if(is_member AND k >= 4, lower(hex(cityHash64(v, 'first-thread'))), '') AS thread_id,
    if(is_member, member_pages[k + 1], visitor_pages[k + 1]) AS page,
    if(is_member AND k >= 4, 'chat', '') AS feature,
    if(is_member AND k >= 4, 'gpt-4o-mini', '') AS model,
    if(is_member AND k >= 5, categories[ci], '') AS prompt_category,
    if(is_member AND k >= 5, first_patterns[ci], '') AS prompt_pattern,
    toUInt16(is_member AND k >= 5) AS turn_index,
    0 AS is_follow_up,
    if(is_member AND k IN (5, 6), p_tokens, 0) AS prompt_tokens,
    if(is_member AND k = 6, c_tokens, 0) AS completion_tokens,
    if(is_member AND k = 6, round((p_tokens * 0.15 + c_tokens * 0.6) / 1000000, 6), 0) AS cost_usd,
    if(is_member AND k = 6, rt_ms, 0) AS response_time_ms,
    0 AS is_error,
    '' AS error_code,
    if(is_member AND k = 6, toFloat32(round(0.74 + 0.2 * (cityHash64(v, 25) % 1000) / 1000, 3)), 0) AS quality_score,
    if(is_member AND k = 7, if(cityHash64(v, 26) % 100 < 78, 1, -1), 0) AS rating,
    multiIf(cityHash64(v, 102) % 100 < 55, 'web', cityHash64(v, 102) % 100 < 75, 'ios', cityHash64(v, 102) % 100 < 90, 'android', 'desktop') AS platform,
    countries[1 + cityHash64(v, 103) % length(countries)] AS country,
    if(is_member, multiIf(cityHash64(v, 105) % 100 < 70, 'free', cityHash64(v, 105) % 100 < 92, 'plus', cityHash64(v, 105) % 100 < 98, 'team', 'enterprise'), 'free') AS plan,
    if(is_member, toDate('2026-08-29') + sd, toDate(0)) AS signup_date
FROM
(
    SELECT
        v, is_member, sd, start_ts, len, k,
        1 + cityHash64(v, 15) % 8 AS ci,
        toUInt32(exp(4.5 + 0.9 * ((cityHash64(v, 20) % 1000) / 1000 - 0.5) * 3)) + 5 AS p_tokens,
        toUInt32(exp(5.8 + 0.7 * ((cityHash64(v, 21) % 1000) / 1000 - 0.5) * 3)) + 10 AS c_tokens,
        toUInt32(300 + p_tokens * 0.08 + c_tokens * 1000 / 160 * (0.7 + (cityHash64(v, 22) % 1000) / 1000)) AS rt_ms,
        start_ts + k * (20 + cityHash64(v, 12) % 50) + cityHash64(v, k, 11) % 15 + if(k = 6, intDiv(rt_ms, 1000) + 1, 0) AS ts
    FROM
    (
        SELECT
            number AS v,
            number < 20000 AS is_member,
            toInt32(cityHash64(number, 101) % 131) - 40 AS sd,
            if(is_member, sd, toInt32(floor(91 * pow((cityHash64(number, 2) % 1000003) / 1000003, 0.85)))) AS d0,
            if(NOT is_member AND toDayOfWeek(toDate('2026-08-29') + d0) >= 6 AND cityHash64(number, 3) % 100 < 40 AND d0 >= 2, d0 - 2, d0) AS d,
            toUInt32(floor(((cityHash64(number, 4) % 1000) + (cityHash64(number, 5) % 1000) + (cityHash64(number, 6) % 1000)) / 3000 * 24 + 2)) % 24 AS hr,
            toDateTime('2026-08-29 00:00:00', 'UTC') + d * 86400 + hr * 3600 + cityHash64(number, 7) % 3600 AS start_ts,
            cityHash64(number, 8) % 100 AS depth_roll,
            if(is_member,
               multiIf(depth_roll < 10, 3, depth_roll < 20, 4, depth_roll < 28, 5, depth_roll < 75, 7, 8),
               multiIf(depth_roll < 55, 1, depth_roll < 80, 2, 3)) AS len
        FROM numbers(50000)
        WHERE NOT (is_member AND sd < 0)
    )
    ARRAY JOIN range(len) AS k
)
WHERE ts < toDateTime('2026-11-28 00:00:00', 'UTC');
