-- Athena (Glue catalog): external tables over the lake at s3://example-bucket/lake
-- Partitions come from partition projection: nothing to load or repair.

CREATE DATABASE IF NOT EXISTS lakepipe;

CREATE EXTERNAL TABLE IF NOT EXISTS lakepipe.user_activity_analytics_events_by_type_daily (
  `event_type` string,
  `events` bigint
)
PARTITIONED BY (`event_date` date)
STORED AS PARQUET
LOCATION 's3://example-bucket/lake/user_activity/analytics/parquet/events_by_type_daily/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.event_date.type' = 'date',
  'projection.event_date.format' = 'yyyy-MM-dd',
  'projection.event_date.range' = '2025-12-31,NOW',
  'projection.event_date.interval' = '1',
  'projection.event_date.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://example-bucket/lake/user_activity/analytics/parquet/events_by_type_daily/event_date=${event_date}/'
);

CREATE EXTERNAL TABLE IF NOT EXISTS lakepipe.user_activity_analytics_events_by_type_hourly (
  `hour` int,
  `event_type` string,
  `events` bigint
)
PARTITIONED BY (`event_date` date)
STORED AS PARQUET
LOCATION 's3://example-bucket/lake/user_activity/analytics/parquet/events_by_type_hourly/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.event_date.type' = 'date',
  'projection.event_date.format' = 'yyyy-MM-dd',
  'projection.event_date.range' = '2025-12-31,NOW',
  'projection.event_date.interval' = '1',
  'projection.event_date.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://example-bucket/lake/user_activity/analytics/parquet/events_by_type_hourly/event_date=${event_date}/'
);

CREATE EXTERNAL TABLE IF NOT EXISTS lakepipe.user_activity_analytics_funnel_daily (
  `page_view_sessions` bigint,
  `add_to_cart_sessions` bigint,
  `purchase_sessions` bigint,
  `view_to_cart` double,
  `cart_to_purchase` double,
  `view_to_purchase` double
)
PARTITIONED BY (`event_date` date)
STORED AS PARQUET
LOCATION 's3://example-bucket/lake/user_activity/analytics/parquet/funnel_daily/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.event_date.type' = 'date',
  'projection.event_date.format' = 'yyyy-MM-dd',
  'projection.event_date.range' = '2025-12-31,NOW',
  'projection.event_date.interval' = '1',
  'projection.event_date.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://example-bucket/lake/user_activity/analytics/parquet/funnel_daily/event_date=${event_date}/'
);

CREATE EXTERNAL TABLE IF NOT EXISTS lakepipe.user_activity_analytics_revenue_by_product (
  `product_id` string,
  `purchases` bigint,
  `units` bigint,
  `revenue` double
)
STORED AS PARQUET
LOCATION 's3://example-bucket/lake/user_activity/analytics/parquet/revenue_by_product/';

CREATE EXTERNAL TABLE IF NOT EXISTS lakepipe.user_activity_analytics_revenue_daily (
  `purchases` bigint,
  `units` bigint,
  `revenue` double
)
PARTITIONED BY (`event_date` date)
STORED AS PARQUET
LOCATION 's3://example-bucket/lake/user_activity/analytics/parquet/revenue_daily/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.event_date.type' = 'date',
  'projection.event_date.format' = 'yyyy-MM-dd',
  'projection.event_date.range' = '2025-12-31,NOW',
  'projection.event_date.interval' = '1',
  'projection.event_date.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://example-bucket/lake/user_activity/analytics/parquet/revenue_daily/event_date=${event_date}/'
);

CREATE EXTERNAL TABLE IF NOT EXISTS lakepipe.user_activity_analytics_users_sessions_daily (
  `unique_users` bigint,
  `sessions` bigint
)
PARTITIONED BY (`event_date` date)
STORED AS PARQUET
LOCATION 's3://example-bucket/lake/user_activity/analytics/parquet/users_sessions_daily/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.event_date.type' = 'date',
  'projection.event_date.format' = 'yyyy-MM-dd',
  'projection.event_date.range' = '2025-12-31,NOW',
  'projection.event_date.interval' = '1',
  'projection.event_date.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://example-bucket/lake/user_activity/analytics/parquet/users_sessions_daily/event_date=${event_date}/'
);

CREATE EXTERNAL TABLE IF NOT EXISTS lakepipe.user_activity_clean (
  `event_id` string,
  `user_id` string,
  `session_id` string,
  `session_ordinal` int,
  `event_type` string,
  `event_time` timestamp,
  `page_url` string,
  `product_id` string,
  `price` double,
  `quantity` int,
  `revenue` double,
  `device` string,
  `country` string
)
PARTITIONED BY (`event_date` date, `hour` int)
STORED AS PARQUET
LOCATION 's3://example-bucket/lake/user_activity/clean/parquet/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.event_date.type' = 'date',
  'projection.event_date.format' = 'yyyy-MM-dd',
  'projection.event_date.range' = '2025-12-31,NOW',
  'projection.event_date.interval' = '1',
  'projection.event_date.interval.unit' = 'DAYS',
  'projection.hour.type' = 'integer',
  'projection.hour.range' = '0,23',
  'projection.hour.digits' = '2',
  'storage.location.template' = 's3://example-bucket/lake/user_activity/clean/parquet/event_date=${event_date}/hour=${hour}/'
);

CREATE EXTERNAL TABLE IF NOT EXISTS lakepipe.user_activity_demographics_events_by_country (
  `country` string,
  `users` bigint,
  `share` double
)
STORED AS PARQUET
LOCATION 's3://example-bucket/lake/user_activity/demographics/parquet/events_by_country/';

CREATE EXTERNAL TABLE IF NOT EXISTS lakepipe.user_activity_demographics_users_by_country (
  `country` string,
  `users` bigint,
  `share` double
)
STORED AS PARQUET
LOCATION 's3://example-bucket/lake/user_activity/demographics/parquet/users_by_country/';

CREATE EXTERNAL TABLE IF NOT EXISTS lakepipe.user_activity_raw (
  `event_id` string,
  `user_id` string,
  `session_id` string,
  `event_type` string,
  `event_time` timestamp,
  `page_url` string,
  `product_id` string,
  `price` double,
  `quantity` int,
  `device` string,
  `country` string
)
PARTITIONED BY (`event_date` date, `hour` int)
STORED AS PARQUET
LOCATION 's3://example-bucket/lake/user_activity/raw/parquet/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.event_date.type' = 'date',
  'projection.event_date.format' = 'yyyy-MM-dd',
  'projection.event_date.range' = '<archive date>,NOW',
  'projection.event_date.interval' = '1',
  'projection.event_date.interval.unit' = 'DAYS',
  'projection.hour.type' = 'integer',
  'projection.hour.range' = '0,23',
  'projection.hour.digits' = '2',
  'storage.location.template' = 's3://example-bucket/lake/user_activity/raw/parquet/event_date=${event_date}/hour=${hour}/'
);

CREATE EXTERNAL TABLE IF NOT EXISTS lakepipe.user_activity_timeseries_events_daily (
  `event_type` string,
  `events` bigint,
  `moving_avg` double,
  `zscore` double,
  `anomaly` boolean,
  `partial` boolean
)
PARTITIONED BY (`event_date` date)
STORED AS PARQUET
LOCATION 's3://example-bucket/lake/user_activity/timeseries/parquet/events_daily/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.event_date.type' = 'date',
  'projection.event_date.format' = 'yyyy-MM-dd',
  'projection.event_date.range' = '2025-12-31,NOW',
  'projection.event_date.interval' = '1',
  'projection.event_date.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://example-bucket/lake/user_activity/timeseries/parquet/events_daily/event_date=${event_date}/'
);

CREATE EXTERNAL TABLE IF NOT EXISTS lakepipe.user_activity_timeseries_events_hourly (
  `hour_start` timestamp,
  `event_type` string,
  `events` bigint,
  `moving_avg` double,
  `zscore` double,
  `anomaly` boolean,
  `partial` boolean
)
PARTITIONED BY (`event_date` date)
STORED AS PARQUET
LOCATION 's3://example-bucket/lake/user_activity/timeseries/parquet/events_hourly/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.event_date.type' = 'date',
  'projection.event_date.format' = 'yyyy-MM-dd',
  'projection.event_date.range' = '2025-12-31,NOW',
  'projection.event_date.interval' = '1',
  'projection.event_date.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://example-bucket/lake/user_activity/timeseries/parquet/events_hourly/event_date=${event_date}/'
);

CREATE EXTERNAL TABLE IF NOT EXISTS lakepipe.users_analytics_age_groups (
  `age_group` string,
  `users` bigint,
  `share` double
)
STORED AS PARQUET
LOCATION 's3://example-bucket/lake/users/analytics/parquet/age_groups/';

CREATE EXTERNAL TABLE IF NOT EXISTS lakepipe.users_analytics_email_domains (
  `rank` int,
  `email_domain` string,
  `users` bigint,
  `share` double
)
STORED AS PARQUET
LOCATION 's3://example-bucket/lake/users/analytics/parquet/email_domains/';

CREATE EXTERNAL TABLE IF NOT EXISTS lakepipe.users_analytics_gender_distribution (
  `gender` string,
  `users` bigint,
  `share` double
)
STORED AS PARQUET
LOCATION 's3://example-bucket/lake/users/analytics/parquet/gender_distribution/';

CREATE EXTERNAL TABLE IF NOT EXISTS lakepipe.users_clean (
  `id` string,
  `first_name` string,
  `last_name` string,
  `gender` string,
  `email` string,
  `email_domain` string,
  `username` string,
  `phone` string,
  `address` string,
  `post_code` string,
  `city` string,
  `state` string,
  `country` string,
  `nat` string,
  `picture` string,
  `dob` timestamp,
  `dob_date` date,
  `age` int,
  `age_group` string,
  `registered_date` timestamp,
  `registration_date` date,
  `tenure_days` int
)
PARTITIONED BY (`registration_year` int)
STORED AS PARQUET
LOCATION 's3://example-bucket/lake/users/clean/parquet/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.registration_year.type' = 'integer',
  'projection.registration_year.range' = '2006,2025',
  'storage.location.template' = 's3://example-bucket/lake/users/clean/parquet/registration_year=${registration_year}/'
);

CREATE EXTERNAL TABLE IF NOT EXISTS lakepipe.users_demographics_users_by_country (
  `country` string,
  `users` bigint,
  `share` double
)
STORED AS PARQUET
LOCATION 's3://example-bucket/lake/users/demographics/parquet/users_by_country/';

CREATE EXTERNAL TABLE IF NOT EXISTS lakepipe.users_demographics_users_by_country_state (
  `country` string,
  `state` string,
  `users` bigint,
  `share_of_country` double,
  `share` double
)
STORED AS PARQUET
LOCATION 's3://example-bucket/lake/users/demographics/parquet/users_by_country_state/';

CREATE EXTERNAL TABLE IF NOT EXISTS lakepipe.users_raw (
  `id` string,
  `first_name` string,
  `last_name` string,
  `gender` string,
  `address` string,
  `post_code` string,
  `email` string,
  `username` string,
  `dob` timestamp,
  `registered_date` timestamp,
  `phone` string,
  `picture` string,
  `city` string,
  `state` string,
  `country` string,
  `nat` string
)
PARTITIONED BY (`event_date` date, `hour` int)
STORED AS PARQUET
LOCATION 's3://example-bucket/lake/users/raw/parquet/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.event_date.type' = 'date',
  'projection.event_date.format' = 'yyyy-MM-dd',
  'projection.event_date.range' = '<archive date>,NOW',
  'projection.event_date.interval' = '1',
  'projection.event_date.interval.unit' = 'DAYS',
  'projection.hour.type' = 'integer',
  'projection.hour.range' = '0,23',
  'projection.hour.digits' = '2',
  'storage.location.template' = 's3://example-bucket/lake/users/raw/parquet/event_date=${event_date}/hour=${hour}/'
);

CREATE EXTERNAL TABLE IF NOT EXISTS lakepipe.users_timeseries_registrations_daily (
  `date` date,
  `registrations` bigint,
  `moving_avg` double,
  `zscore` double,
  `anomaly` boolean,
  `partial` boolean
)
PARTITIONED BY (`registration_year` int)
STORED AS PARQUET
LOCATION 's3://example-bucket/lake/users/timeseries/parquet/registrations_daily/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.registration_year.type' = 'integer',
  'projection.registration_year.range' = '2006,2025',
  'storage.location.template' = 's3://example-bucket/lake/users/timeseries/parquet/registrations_daily/registration_year=${registration_year}/'
);

-- Integer partitions are projected over the values in the lake when this was
-- generated (dates up to NOW): regenerate when new years or values appear.

-- Sample analytics over the clean tables. Each returns the rows of the metric
-- table it names, which the transform jobs keep up to date.

-- sample: users_analytics_gender_distribution (users and share by gender)
SELECT gender, count(*) AS users, CAST(count(*) AS DOUBLE) / sum(count(*)) OVER () AS share FROM lakepipe.users_clean GROUP BY gender ORDER BY users DESC, gender;

-- sample: users_demographics_users_by_country (users and share by country)
SELECT country, count(*) AS users, CAST(count(*) AS DOUBLE) / sum(count(*)) OVER () AS share FROM lakepipe.users_clean GROUP BY country ORDER BY users DESC, country;

-- sample: users_analytics_age_groups (users and share by age group)
SELECT age_group, count(*) AS users, CAST(count(*) AS DOUBLE) / sum(count(*)) OVER () AS share FROM lakepipe.users_clean GROUP BY age_group ORDER BY age_group;

-- sample: user_activity_analytics_events_by_type_daily (events per type per day)
SELECT event_date, event_type, count(*) AS events FROM lakepipe.user_activity_clean GROUP BY event_date, event_type ORDER BY event_date, event_type;

-- sample: user_activity_analytics_users_sessions_daily (unique users and sessions per day)
SELECT event_date, count(DISTINCT user_id) AS unique_users, count(DISTINCT session_id) AS sessions FROM lakepipe.user_activity_clean GROUP BY event_date ORDER BY event_date;

-- sample: user_activity_analytics_revenue_daily (purchases, units and revenue per day)
SELECT event_date, count(*) AS purchases, sum(quantity) AS units, sum(revenue) AS revenue FROM lakepipe.user_activity_clean WHERE event_type = 'purchase' GROUP BY event_date ORDER BY event_date;

-- Data quality: rows per table.
SELECT 'user_activity_clean' AS table_name, count(*) AS row_count FROM lakepipe.user_activity_clean
UNION ALL
SELECT 'user_activity_raw' AS table_name, count(*) AS row_count FROM lakepipe.user_activity_raw
UNION ALL
SELECT 'users_clean' AS table_name, count(*) AS row_count FROM lakepipe.users_clean
UNION ALL
SELECT 'users_raw' AS table_name, count(*) AS row_count FROM lakepipe.users_raw
ORDER BY table_name;

-- Data quality: null rates of user_activity_clean's nullable columns.
SELECT count(*) AS row_count,
  avg(CASE WHEN product_id IS NULL THEN 1.0 ELSE 0.0 END) AS product_id_null_rate,
  avg(CASE WHEN price IS NULL THEN 1.0 ELSE 0.0 END) AS price_null_rate,
  avg(CASE WHEN quantity IS NULL THEN 1.0 ELSE 0.0 END) AS quantity_null_rate,
  avg(CASE WHEN revenue IS NULL THEN 1.0 ELSE 0.0 END) AS revenue_null_rate
FROM lakepipe.user_activity_clean;

-- Data quality: null rates of users_clean's nullable columns.
SELECT count(*) AS row_count,
  avg(CASE WHEN city IS NULL THEN 1.0 ELSE 0.0 END) AS city_null_rate,
  avg(CASE WHEN state IS NULL THEN 1.0 ELSE 0.0 END) AS state_null_rate,
  avg(CASE WHEN country IS NULL THEN 1.0 ELSE 0.0 END) AS country_null_rate,
  avg(CASE WHEN nat IS NULL THEN 1.0 ELSE 0.0 END) AS nat_null_rate
FROM lakepipe.users_clean;

-- Data quality: freshness of user_activity_clean (its newest record).
SELECT max(event_time) AS newest, count(*) AS row_count FROM lakepipe.user_activity_clean;

-- Data quality: freshness of users_clean (its newest record).
SELECT max(registered_date) AS newest, count(*) AS row_count FROM lakepipe.users_clean;

-- Data quality: freshness of user_activity_raw (the newest day records arrived on).
SELECT max(event_date) AS newest_day, count(*) AS row_count FROM lakepipe.user_activity_raw;

-- Data quality: freshness of users_raw (the newest day records arrived on).
SELECT max(event_date) AS newest_day, count(*) AS row_count FROM lakepipe.users_raw;

