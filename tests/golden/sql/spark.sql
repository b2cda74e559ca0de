-- Spark SQL: tables over the lake at s3://example-bucket/lake
-- (as s3a://, Hadoop's S3A connector; on EMR or Databricks s3:// works too)

CREATE TABLE IF NOT EXISTS user_activity_analytics_events_by_type_daily (
  `event_type` STRING,
  `events` BIGINT,
  `event_date` DATE
)
USING parquet
PARTITIONED BY (`event_date`)
LOCATION 's3a://example-bucket/lake/user_activity/analytics/parquet/events_by_type_daily';
MSCK REPAIR TABLE user_activity_analytics_events_by_type_daily;

CREATE TABLE IF NOT EXISTS user_activity_analytics_events_by_type_hourly (
  `hour` INT,
  `event_type` STRING,
  `events` BIGINT,
  `event_date` DATE
)
USING parquet
PARTITIONED BY (`event_date`)
LOCATION 's3a://example-bucket/lake/user_activity/analytics/parquet/events_by_type_hourly';
MSCK REPAIR TABLE user_activity_analytics_events_by_type_hourly;

CREATE TABLE IF NOT EXISTS user_activity_analytics_funnel_daily (
  `page_view_sessions` BIGINT,
  `add_to_cart_sessions` BIGINT,
  `purchase_sessions` BIGINT,
  `view_to_cart` DOUBLE,
  `cart_to_purchase` DOUBLE,
  `view_to_purchase` DOUBLE,
  `event_date` DATE
)
USING parquet
PARTITIONED BY (`event_date`)
LOCATION 's3a://example-bucket/lake/user_activity/analytics/parquet/funnel_daily';
MSCK REPAIR TABLE user_activity_analytics_funnel_daily;

CREATE TABLE IF NOT EXISTS user_activity_analytics_revenue_by_product (
  `product_id` STRING,
  `purchases` BIGINT,
  `units` BIGINT,
  `revenue` DOUBLE
)
USING parquet
LOCATION 's3a://example-bucket/lake/user_activity/analytics/parquet/revenue_by_product';

CREATE TABLE IF NOT EXISTS user_activity_analytics_revenue_daily (
  `purchases` BIGINT,
  `units` BIGINT,
  `revenue` DOUBLE,
  `event_date` DATE
)
USING parquet
PARTITIONED BY (`event_date`)
LOCATION 's3a://example-bucket/lake/user_activity/analytics/parquet/revenue_daily';
MSCK REPAIR TABLE user_activity_analytics_revenue_daily;

CREATE TABLE IF NOT EXISTS user_activity_analytics_users_sessions_daily (
  `unique_users` BIGINT,
  `sessions` BIGINT,
  `event_date` DATE
)
USING parquet
PARTITIONED BY (`event_date`)
LOCATION 's3a://example-bucket/lake/user_activity/analytics/parquet/users_sessions_daily';
MSCK REPAIR TABLE user_activity_analytics_users_sessions_daily;

CREATE TABLE IF NOT EXISTS user_activity_clean (
  `event_id` STRING,
  `user_id` STRING,
  `session_id` STRING,
  `session_ordinal` INT,
  `event_type` STRING,
  `event_time` TIMESTAMP,
  `page_url` STRING,
  `product_id` STRING,
  `price` DOUBLE,
  `quantity` INT,
  `revenue` DOUBLE,
  `device` STRING,
  `country` STRING,
  `event_date` DATE,
  `hour` INT
)
USING parquet
PARTITIONED BY (`event_date`, `hour`)
LOCATION 's3a://example-bucket/lake/user_activity/clean/parquet';
MSCK REPAIR TABLE user_activity_clean;

CREATE TABLE IF NOT EXISTS user_activity_demographics_events_by_country (
  `country` STRING,
  `users` BIGINT,
  `share` DOUBLE
)
USING parquet
LOCATION 's3a://example-bucket/lake/user_activity/demographics/parquet/events_by_country';

CREATE TABLE IF NOT EXISTS user_activity_demographics_users_by_country (
  `country` STRING,
  `users` BIGINT,
  `share` DOUBLE
)
USING parquet
LOCATION 's3a://example-bucket/lake/user_activity/demographics/parquet/users_by_country';

CREATE TABLE IF NOT EXISTS user_activity_raw (
  `event_id` STRING,
  `user_id` STRING,
  `session_id` STRING,
  `event_type` STRING,
  `event_time` TIMESTAMP,
  `page_url` STRING,
  `product_id` STRING,
  `price` DOUBLE,
  `quantity` INT,
  `device` STRING,
  `country` STRING,
  `event_date` DATE,
  `hour` INT
)
USING parquet
PARTITIONED BY (`event_date`, `hour`)
LOCATION 's3a://example-bucket/lake/user_activity/raw/parquet';
MSCK REPAIR TABLE user_activity_raw;

CREATE TABLE IF NOT EXISTS user_activity_timeseries_events_daily (
  `event_type` STRING,
  `events` BIGINT,
  `moving_avg` DOUBLE,
  `zscore` DOUBLE,
  `anomaly` BOOLEAN,
  `partial` BOOLEAN,
  `event_date` DATE
)
USING parquet
PARTITIONED BY (`event_date`)
LOCATION 's3a://example-bucket/lake/user_activity/timeseries/parquet/events_daily';
MSCK REPAIR TABLE user_activity_timeseries_events_daily;

CREATE TABLE IF NOT EXISTS user_activity_timeseries_events_hourly (
  `hour_start` TIMESTAMP,
  `event_type` STRING,
  `events` BIGINT,
  `moving_avg` DOUBLE,
  `zscore` DOUBLE,
  `anomaly` BOOLEAN,
  `partial` BOOLEAN,
  `event_date` DATE
)
USING parquet
PARTITIONED BY (`event_date`)
LOCATION 's3a://example-bucket/lake/user_activity/timeseries/parquet/events_hourly';
MSCK REPAIR TABLE user_activity_timeseries_events_hourly;

CREATE TABLE IF NOT EXISTS users_analytics_age_groups (
  `age_group` STRING,
  `users` BIGINT,
  `share` DOUBLE
)
USING parquet
LOCATION 's3a://example-bucket/lake/users/analytics/parquet/age_groups';

CREATE TABLE IF NOT EXISTS users_analytics_email_domains (
  `rank` INT,
  `email_domain` STRING,
  `users` BIGINT,
  `share` DOUBLE
)
USING parquet
LOCATION 's3a://example-bucket/lake/users/analytics/parquet/email_domains';

CREATE TABLE IF NOT EXISTS users_analytics_gender_distribution (
  `gender` STRING,
  `users` BIGINT,
  `share` DOUBLE
)
USING parquet
LOCATION 's3a://example-bucket/lake/users/analytics/parquet/gender_distribution';

CREATE TABLE IF NOT EXISTS users_clean (
  `id` STRING,
  `first_name` STRING,
  `last_name` STRING,
  `gender` STRING,
  `email` STRING,
  `email_domain` STRING,
  `username` STRING,
  `phone` STRING,
  `address` STRING,
  `post_code` STRING,
  `city` STRING,
  `state` STRING,
  `country` STRING,
  `nat` STRING,
  `picture` STRING,
  `dob` TIMESTAMP,
  `dob_date` DATE,
  `age` INT,
  `age_group` STRING,
  `registered_date` TIMESTAMP,
  `registration_date` DATE,
  `tenure_days` INT,
  `registration_year` INT
)
USING parquet
PARTITIONED BY (`registration_year`)
LOCATION 's3a://example-bucket/lake/users/clean/parquet';
MSCK REPAIR TABLE users_clean;

CREATE TABLE IF NOT EXISTS users_demographics_users_by_country (
  `country` STRING,
  `users` BIGINT,
  `share` DOUBLE
)
USING parquet
LOCATION 's3a://example-bucket/lake/users/demographics/parquet/users_by_country';

CREATE TABLE IF NOT EXISTS users_demographics_users_by_country_state (
  `country` STRING,
  `state` STRING,
  `users` BIGINT,
  `share_of_country` DOUBLE,
  `share` DOUBLE
)
USING parquet
LOCATION 's3a://example-bucket/lake/users/demographics/parquet/users_by_country_state';

CREATE TABLE IF NOT EXISTS users_raw (
  `id` STRING,
  `first_name` STRING,
  `last_name` STRING,
  `gender` STRING,
  `address` STRING,
  `post_code` STRING,
  `email` STRING,
  `username` STRING,
  `dob` TIMESTAMP,
  `registered_date` TIMESTAMP,
  `phone` STRING,
  `picture` STRING,
  `city` STRING,
  `state` STRING,
  `country` STRING,
  `nat` STRING,
  `event_date` DATE,
  `hour` INT
)
USING parquet
PARTITIONED BY (`event_date`, `hour`)
LOCATION 's3a://example-bucket/lake/users/raw/parquet';
MSCK REPAIR TABLE users_raw;

CREATE TABLE IF NOT EXISTS users_timeseries_registrations_daily (
  `date` DATE,
  `registrations` BIGINT,
  `moving_avg` DOUBLE,
  `zscore` DOUBLE,
  `anomaly` BOOLEAN,
  `partial` BOOLEAN,
  `registration_year` INT
)
USING parquet
PARTITIONED BY (`registration_year`)
LOCATION 's3a://example-bucket/lake/users/timeseries/parquet/registrations_daily';
MSCK REPAIR TABLE users_timeseries_registrations_daily;

-- New partitions written later: MSCK REPAIR TABLE <table> (or ALTER TABLE <table>
-- RECOVER PARTITIONS); REFRESH TABLE <table> for new files in known partitions.

-- Sample analytics over the clean tables. Each returns the rows of the metric
-- table it names, which the transform jobs keep up to date.

-- sample: users_analytics_gender_distribution (users and share by gender)
SELECT gender, count(*) AS users, CAST(count(*) AS DOUBLE) / sum(count(*)) OVER () AS share FROM users_clean GROUP BY gender ORDER BY users DESC, gender;

-- sample: users_demographics_users_by_country (users and share by country)
SELECT country, count(*) AS users, CAST(count(*) AS DOUBLE) / sum(count(*)) OVER () AS share FROM users_clean GROUP BY country ORDER BY users DESC, country;

-- sample: users_analytics_age_groups (users and share by age group)
SELECT age_group, count(*) AS users, CAST(count(*) AS DOUBLE) / sum(count(*)) OVER () AS share FROM users_clean GROUP BY age_group ORDER BY age_group;

-- sample: user_activity_analytics_events_by_type_daily (events per type per day)
SELECT event_date, event_type, count(*) AS events FROM user_activity_clean GROUP BY event_date, event_type ORDER BY event_date, event_type;

-- sample: user_activity_analytics_users_sessions_daily (unique users and sessions per day)
SELECT event_date, count(DISTINCT user_id) AS unique_users, count(DISTINCT session_id) AS sessions FROM user_activity_clean GROUP BY event_date ORDER BY event_date;

-- sample: user_activity_analytics_revenue_daily (purchases, units and revenue per day)
SELECT event_date, count(*) AS purchases, sum(quantity) AS units, sum(revenue) AS revenue FROM user_activity_clean WHERE event_type = 'purchase' GROUP BY event_date ORDER BY event_date;

-- Data quality: rows per table.
SELECT 'user_activity_clean' AS table_name, count(*) AS row_count FROM user_activity_clean
UNION ALL
SELECT 'user_activity_raw' AS table_name, count(*) AS row_count FROM user_activity_raw
UNION ALL
SELECT 'users_clean' AS table_name, count(*) AS row_count FROM users_clean
UNION ALL
SELECT 'users_raw' AS table_name, count(*) AS row_count FROM users_raw
ORDER BY table_name;

-- Data quality: null rates of user_activity_clean's nullable columns.
SELECT count(*) AS row_count,
  avg(CASE WHEN product_id IS NULL THEN 1.0 ELSE 0.0 END) AS product_id_null_rate,
  avg(CASE WHEN price IS NULL THEN 1.0 ELSE 0.0 END) AS price_null_rate,
  avg(CASE WHEN quantity IS NULL THEN 1.0 ELSE 0.0 END) AS quantity_null_rate,
  avg(CASE WHEN revenue IS NULL THEN 1.0 ELSE 0.0 END) AS revenue_null_rate
FROM user_activity_clean;

-- Data quality: null rates of users_clean's nullable columns.
SELECT count(*) AS row_count,
  avg(CASE WHEN city IS NULL THEN 1.0 ELSE 0.0 END) AS city_null_rate,
  avg(CASE WHEN state IS NULL THEN 1.0 ELSE 0.0 END) AS state_null_rate,
  avg(CASE WHEN country IS NULL THEN 1.0 ELSE 0.0 END) AS country_null_rate,
  avg(CASE WHEN nat IS NULL THEN 1.0 ELSE 0.0 END) AS nat_null_rate
FROM users_clean;

-- Data quality: freshness of user_activity_clean (its newest record).
SELECT max(event_time) AS newest, count(*) AS row_count FROM user_activity_clean;

-- Data quality: freshness of users_clean (its newest record).
SELECT max(registered_date) AS newest, count(*) AS row_count FROM users_clean;

-- Data quality: freshness of user_activity_raw (the newest day records arrived on).
SELECT max(event_date) AS newest_day, count(*) AS row_count FROM user_activity_raw;

-- Data quality: freshness of users_raw (the newest day records arrived on).
SELECT max(event_date) AS newest_day, count(*) AS row_count FROM users_raw;

