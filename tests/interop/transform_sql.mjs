// lakepipe's transform jobs written as DuckDB SQL: the oracle of
// tests/interop/transform.test.mjs and DuckDB's side of bench/transform.
// The clean tables are computed from the raw files; each metric from a
// clean table (any relation with the clean columns, partition columns
// included).

// The clean users table computed from the raw files: lakepipe's rules in SQL.
// `jsonl`: also read raw JSON Lines files (the test seeds one).
export const usersClean = (lake, AS_OF, jsonl = true) => `
WITH raw AS (
  SELECT id, first_name, last_name, gender, email, phone, nat, city, state, country, epoch_ms(dob) AS dob_ms, epoch_ms(registered_date) AS reg_ms
  FROM read_parquet('${lake}/users/raw/parquet/**/*.parquet', hive_partitioning = false)
${jsonl ? `  UNION ALL
  SELECT id, first_name, last_name, gender, email, phone, nat, city, state, country, dob, registered_date
  FROM read_json('${lake}/users/raw/jsonl/**/*.jsonl', format = 'newline_delimited', ignore_errors = true,
    columns = {id: 'VARCHAR', first_name: 'VARCHAR', last_name: 'VARCHAR', gender: 'VARCHAR', email: 'VARCHAR',
               phone: 'VARCHAR', nat: 'VARCHAR', city: 'VARCHAR', state: 'VARCHAR', country: 'VARCHAR', dob: 'BIGINT', registered_date: 'BIGINT'})
  WHERE dob IS NOT NULL AND registered_date IS NOT NULL` : ''}
), t AS (
  SELECT trim(id) AS id, trim(first_name) AS first_name, trim(last_name) AS last_name,
    lower(trim(gender)) AS gender, lower(trim(email)) AS email, regexp_replace(phone, '[^0-9]', '', 'g') AS phone,
    upper(nullif(trim(nat), '')) AS nat, nullif(trim(city), '') AS city, nullif(trim(state), '') AS state,
    nullif(trim(country), '') AS country,
    CAST(make_timestamp(dob_ms * 1000) AS DATE) AS dob_date, CAST(make_timestamp(reg_ms * 1000) AS DATE) AS reg_date
  FROM raw
), valid AS (
  SELECT * FROM t
  WHERE regexp_full_match(id, '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}')
    AND first_name <> '' AND last_name <> ''
    AND regexp_full_match(email, '[^@\\s,;<>]+@[^@\\s,;<>.][^@\\s,;<>]*\\.[^@\\s,;<>.]+') AND NOT contains(split_part(email, '@', 2), '..')
    AND gender IN ('female', 'male')
    AND dob_date BETWEEN DATE '1900-01-01' AND DATE '${AS_OF}'
    AND reg_date BETWEEN DATE '2000-01-01' AND DATE '${AS_OF}'
    AND dob_date <= reg_date
)
SELECT DISTINCT lower(id) AS id, first_name, last_name, gender, email, split_part(email, '@', 2) AS email_domain, phone, nat, city,
  state, country,
  dob_date, reg_date AS registration_date,
  year(DATE '${AS_OF}') - year(dob_date) - CASE WHEN month(DATE '${AS_OF}') * 100 + day(DATE '${AS_OF}') < month(dob_date) * 100 + day(dob_date) THEN 1 ELSE 0 END AS age,
  DATE '${AS_OF}' - reg_date AS tenure_days, year(reg_date) AS registration_year
FROM valid`;

// The clean user_activity table computed from the raw files.
export const activityClean = (lake, AS_OF, jsonl = true) => `
WITH raw AS (
  SELECT event_id, user_id, session_id, CAST(event_type AS VARCHAR) AS event_type, epoch_ms(event_time) AS t, page_url,
    product_id, price, quantity, device, country
  FROM read_parquet('${lake}/user_activity/raw/parquet/**/*.parquet', hive_partitioning = false)
${jsonl ? `  UNION ALL
  SELECT event_id, user_id, session_id, event_type, event_time, page_url, product_id, price, quantity, device, country
  FROM read_json('${lake}/user_activity/raw/jsonl/**/*.jsonl', format = 'newline_delimited', ignore_errors = true,
    columns = {event_id: 'VARCHAR', user_id: 'VARCHAR', session_id: 'VARCHAR', event_type: 'VARCHAR', event_time: 'BIGINT',
               page_url: 'VARCHAR', product_id: 'VARCHAR', price: 'DOUBLE', quantity: 'INTEGER', device: 'VARCHAR', country: 'VARCHAR'})
  WHERE event_time IS NOT NULL AND event_type IN ('page_view', 'add_to_cart', 'remove_from_cart', 'purchase')
    AND regexp_full_match(event_id, '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}')` : ''}
), t AS (
  SELECT lower(trim(event_id)) AS event_id, trim(user_id) AS user_id, trim(session_id) AS session_id, event_type, t,
    make_timestamp(t * 1000) AS ts, trim(page_url) AS page_url, nullif(trim(product_id), '') AS product_id, price, quantity,
    lower(trim(device)) AS device, upper(trim(country)) AS country
  FROM raw
), valid AS (
  SELECT DISTINCT * FROM t
  WHERE user_id <> '' AND session_id <> '' AND CAST(ts AS DATE) BETWEEN DATE '2000-01-01' AND DATE '${AS_OF}'
    AND device IN ('mobile', 'desktop', 'tablet') AND regexp_full_match(country, '[A-Z]{2}')
    AND (price IS NULL OR price >= 0) AND (quantity IS NULL OR quantity >= 1)
    AND (event_type = 'page_view' OR (product_id IS NOT NULL AND price IS NOT NULL AND quantity IS NOT NULL))
)
SELECT event_id, user_id, session_id, event_type, t AS event_ms, ts AS event_time, product_id, price, quantity,
  CASE WHEN event_type = 'purchase' THEN price * quantity END AS revenue, device, country,
  CAST(ts AS DATE) AS event_date, hour(ts) AS hour,
  row_number() OVER (PARTITION BY session_id, CAST(ts AS DATE) ORDER BY t, event_id) AS session_ordinal
FROM valid`;

const AGE_GROUP = `CASE WHEN age < 18 THEN 'under 18' WHEN age < 25 THEN '18-24' WHEN age < 35 THEN '25-34'
  WHEN age < 45 THEN '35-44' WHEN age < 55 THEN '45-54' WHEN age < 65 THEN '55-64' ELSE '65+' END`;

// A zero-filled series per `group` (or none) with moving average, z-score,
// anomaly and partial (the last step, which holds the newest time in the
// data: never an anomaly), from relation `counts` (k, [group,] n) over
// `span` (k).
const series = (counts, span, unit, keyName, keyType, group) => `
  WITH c AS (${counts}),
  span AS (SELECT g AS k FROM generate_series((SELECT min(k) FROM c), (SELECT max(k) FROM c), INTERVAL 1 ${unit}) s(g)),
  ${group ? `groups AS (SELECT DISTINCT unnest(${group.values}) AS ${group.name}),
  x AS (SELECT span.k, groups.${group.name}, coalesce(c.n, 0) AS n FROM span CROSS JOIN groups LEFT JOIN c USING (k, ${group.name})),`
    : 'x AS (SELECT span.k, coalesce(c.n, 0) AS n FROM span LEFT JOIN c USING (k)),'}
  w AS (SELECT *, avg(n) OVER (${group ? `PARTITION BY ${group.name} ` : ''}ORDER BY k ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) AS moving_avg,
          avg(n) OVER p AS m, stddev_pop(n) OVER p AS sd, count(*) OVER p AS cnt
        FROM x WINDOW p AS (${group ? `PARTITION BY ${group.name} ` : ''}ORDER BY k ROWS BETWEEN 28 PRECEDING AND 1 PRECEDING))
  SELECT CAST(k AS ${keyType}) AS ${keyName}, ${group ? `${group.name}, ` : ''}n AS ${span}, moving_avg,
    CASE WHEN cnt = 28 AND sd > 0 THEN (n - m) / sd END AS zscore,
    coalesce(k < (SELECT max(k) FROM c) AND cnt = 28 AND sd > 0 AND abs((n - m) / sd) >= 3, false) AS anomaly,
    k = (SELECT max(k) FROM c) AS partial
  FROM w`;

const share = (c, group) =>
  `SELECT ${group}, count(*) AS users, count(*) / sum(count(*)) OVER () AS share FROM ${c} GROUP BY ${group}`;

// Every metric of the users table: job, name, SQL over clean relation `c`,
// the key columns, the columns equal exactly and those equal within 1e-9.
export const usersMetrics = (c) => [
  { job: 'analytics', metric: 'gender_distribution', sql: share(c, 'gender'), keys: ['gender'], exact: ['users'], approx: ['share'] },
  { job: 'analytics', metric: 'email_domains', keys: ['rank'], exact: ['email_domain', 'users'], approx: ['share'],
    sql: `SELECT row_number() OVER (ORDER BY users DESC, email_domain) AS rank, * FROM (${share(c, 'email_domain')}) ORDER BY users DESC, email_domain LIMIT 100` },
  { job: 'analytics', metric: 'age_groups', keys: ['age_group'], exact: ['users'], approx: ['share'],
    sql: `SELECT ${AGE_GROUP} AS age_group, count(*) AS users, count(*) / sum(count(*)) OVER () AS share FROM ${c} GROUP BY 1` },
  { job: 'demographics', metric: 'users_by_country', sql: share(c, 'country'), keys: ['country'], exact: ['users'], approx: ['share'] },
  { job: 'demographics', metric: 'users_by_country_state', keys: ['country', 'state'], exact: ['users'], approx: ['share_of_country', 'share'],
    sql: `SELECT country, state, count(*) AS users, count(*) / sum(count(*)) OVER (PARTITION BY country) AS share_of_country,
       count(*) / sum(count(*)) OVER () AS share FROM ${c} GROUP BY country, state` },
  { job: 'timeseries', metric: 'registrations_daily', keys: ['date'], exact: ['registrations', 'anomaly', 'partial'], approx: ['moving_avg', 'zscore'],
    sql: series(`SELECT registration_date AS k, count(*) AS n FROM ${c} GROUP BY 1`, 'registrations', 'DAY', 'date', 'DATE') },
];

const EVENT_TYPES = { name: 'event_type', values: "['page_view', 'add_to_cart', 'remove_from_cart', 'purchase']" };

export const activityMetrics = (c) => [
  { job: 'analytics', metric: 'events_by_type_daily', keys: ['event_date', 'event_type'], exact: ['events'], approx: [],
    sql: `SELECT event_date, event_type, count(*) AS events FROM ${c} GROUP BY ALL` },
  { job: 'analytics', metric: 'events_by_type_hourly', keys: ['event_date', 'hour', 'event_type'], exact: ['events'], approx: [],
    sql: `SELECT event_date, hour, event_type, count(*) AS events FROM ${c} GROUP BY ALL` },
  { job: 'analytics', metric: 'users_sessions_daily', keys: ['event_date'], exact: ['unique_users', 'sessions'], approx: [],
    sql: `SELECT event_date, count(DISTINCT user_id) AS unique_users, count(DISTINCT session_id) AS sessions FROM ${c} GROUP BY ALL` },
  { job: 'analytics', metric: 'funnel_daily', keys: ['event_date'], exact: ['page_view_sessions', 'add_to_cart_sessions', 'purchase_sessions'],
    approx: ['view_to_cart', 'cart_to_purchase', 'view_to_purchase'],
    sql: `WITH s AS (SELECT event_date, session_id, bool_or(event_type = 'page_view') AS v, bool_or(event_type = 'add_to_cart') AS a,
                 bool_or(event_type = 'purchase') AS p FROM ${c} GROUP BY ALL),
    d AS (SELECT event_date, count(*) FILTER (WHERE v) AS page_view_sessions, count(*) FILTER (WHERE a) AS add_to_cart_sessions,
            count(*) FILTER (WHERE p) AS purchase_sessions FROM s GROUP BY ALL)
    SELECT *, add_to_cart_sessions / nullif(page_view_sessions, 0) AS view_to_cart,
      purchase_sessions / nullif(add_to_cart_sessions, 0) AS cart_to_purchase, purchase_sessions / nullif(page_view_sessions, 0) AS view_to_purchase
    FROM d` },
  { job: 'analytics', metric: 'revenue_daily', keys: ['event_date'], exact: ['purchases', 'units'], approx: ['revenue'],
    sql: `SELECT event_date, count(*) AS purchases, sum(quantity) AS units, sum(revenue) AS revenue FROM ${c} WHERE event_type = 'purchase' GROUP BY ALL` },
  { job: 'analytics', metric: 'revenue_by_product', keys: ['product_id'], exact: ['purchases', 'units'], approx: ['revenue'],
    sql: `SELECT product_id, count(*) AS purchases, sum(quantity) AS units, sum(revenue) AS revenue FROM ${c} WHERE event_type = 'purchase' GROUP BY ALL` },
  { job: 'demographics', metric: 'events_by_country', keys: ['country'], exact: ['users'], approx: ['share'],
    sql: `SELECT country, count(*) AS users, count(*) / sum(count(*)) OVER () AS share FROM ${c} GROUP BY ALL` },
  { job: 'demographics', metric: 'users_by_country', keys: ['country'], exact: ['users'], approx: ['share'],
    sql: `SELECT country, count(DISTINCT user_id) AS users, count(DISTINCT user_id) / (SELECT count(DISTINCT user_id) FROM ${c}) AS share
      FROM ${c} GROUP BY ALL` },
  { job: 'timeseries', metric: 'events_hourly', keys: ['hour_start', 'event_type'], exact: ['events', 'anomaly', 'partial'], approx: ['moving_avg', 'zscore'],
    sql: series(`SELECT date_trunc('hour', event_time) AS k, event_type, count(*) AS n FROM ${c} GROUP BY ALL`, 'events', 'HOUR', 'hour_start',
      'TIMESTAMP', EVENT_TYPES) },
  { job: 'timeseries', metric: 'events_daily', keys: ['event_date', 'event_type'], exact: ['events', 'anomaly', 'partial'], approx: ['moving_avg', 'zscore'],
    sql: series(`SELECT event_date AS k, event_type, count(*) AS n FROM ${c} GROUP BY ALL`, 'events', 'DAY', 'event_date', 'DATE', EVENT_TYPES) },
];
