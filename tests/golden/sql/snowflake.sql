-- Snowflake: external tables over the lake at s3://example-bucket/lake

CREATE FILE FORMAT IF NOT EXISTS lakepipe_parquet TYPE = PARQUET USE_LOGICAL_TYPE = TRUE;

CREATE STAGE IF NOT EXISTS lakepipe_lake
  URL = 's3://example-bucket/lake/'
  STORAGE_INTEGRATION = lakepipe_s3
  FILE_FORMAT = (FORMAT_NAME = 'lakepipe_parquet');

CREATE OR REPLACE EXTERNAL TABLE user_activity_analytics_events_by_type_daily (
  event_date DATE AS (TO_DATE(REGEXP_SUBSTR(METADATA$FILENAME, 'event_date=([^/]+)', 1, 1, 'e', 1))),
  event_type VARCHAR AS (VALUE:"event_type"::VARCHAR),
  events BIGINT AS (VALUE:"events"::BIGINT)
)
PARTITION BY (event_date)
LOCATION = @lakepipe_lake/user_activity/analytics/parquet/events_by_type_daily/
FILE_FORMAT = (FORMAT_NAME = 'lakepipe_parquet')
AUTO_REFRESH = FALSE;

CREATE OR REPLACE EXTERNAL TABLE user_activity_analytics_events_by_type_hourly (
  event_date DATE AS (TO_DATE(REGEXP_SUBSTR(METADATA$FILENAME, 'event_date=([^/]+)', 1, 1, 'e', 1))),
  hour INTEGER AS (VALUE:"hour"::INTEGER),
  event_type VARCHAR AS (VALUE:"event_type"::VARCHAR),
  events BIGINT AS (VALUE:"events"::BIGINT)
)
PARTITION BY (event_date)
LOCATION = @lakepipe_lake/user_activity/analytics/parquet/events_by_type_hourly/
FILE_FORMAT = (FORMAT_NAME = 'lakepipe_parquet')
AUTO_REFRESH = FALSE;

CREATE OR REPLACE EXTERNAL TABLE user_activity_analytics_funnel_daily (
  event_date DATE AS (TO_DATE(REGEXP_SUBSTR(METADATA$FILENAME, 'event_date=([^/]+)', 1, 1, 'e', 1))),
  page_view_sessions BIGINT AS (VALUE:"page_view_sessions"::BIGINT),
  add_to_cart_sessions BIGINT AS (VALUE:"add_to_cart_sessions"::BIGINT),
  purchase_sessions BIGINT AS (VALUE:"purchase_sessions"::BIGINT),
  view_to_cart DOUBLE AS (VALUE:"view_to_cart"::DOUBLE),
  cart_to_purchase DOUBLE AS (VALUE:"cart_to_purchase"::DOUBLE),
  view_to_purchase DOUBLE AS (VALUE:"view_to_purchase"::DOUBLE)
)
PARTITION BY (event_date)
LOCATION = @lakepipe_lake/user_activity/analytics/parquet/funnel_daily/
FILE_FORMAT = (FORMAT_NAME = 'lakepipe_parquet')
AUTO_REFRESH = FALSE;

CREATE OR REPLACE EXTERNAL TABLE user_activity_analytics_revenue_by_product (
  product_id VARCHAR AS (VALUE:"product_id"::VARCHAR),
  purchases BIGINT AS (VALUE:"purchases"::BIGINT),
  units BIGINT AS (VALUE:"units"::BIGINT),
  revenue DOUBLE AS (VALUE:"revenue"::DOUBLE)
)
LOCATION = @lakepipe_lake/user_activity/analytics/parquet/revenue_by_product/
FILE_FORMAT = (FORMAT_NAME = 'lakepipe_parquet')
AUTO_REFRESH = FALSE;

CREATE OR REPLACE EXTERNAL TABLE user_activity_analytics_revenue_daily (
  event_date DATE AS (TO_DATE(REGEXP_SUBSTR(METADATA$FILENAME, 'event_date=([^/]+)', 1, 1, 'e', 1))),
  purchases BIGINT AS (VALUE:"purchases"::BIGINT),
  units BIGINT AS (VALUE:"units"::BIGINT),
  revenue DOUBLE AS (VALUE:"revenue"::DOUBLE)
)
PARTITION BY (event_date)
LOCATION = @lakepipe_lake/user_activity/analytics/parquet/revenue_daily/
FILE_FORMAT = (FORMAT_NAME = 'lakepipe_parquet')
AUTO_REFRESH = FALSE;

CREATE OR REPLACE EXTERNAL TABLE user_activity_analytics_users_sessions_daily (
  event_date DATE AS (TO_DATE(REGEXP_SUBSTR(METADATA$FILENAME, 'event_date=([^/]+)', 1, 1, 'e', 1))),
  unique_users BIGINT AS (VALUE:"unique_users"::BIGINT),
  sessions BIGINT AS (VALUE:"sessions"::BIGINT)
)
PARTITION BY (event_date)
LOCATION = @lakepipe_lake/user_activity/analytics/parquet/users_sessions_daily/
FILE_FORMAT = (FORMAT_NAME = 'lakepipe_parquet')
AUTO_REFRESH = FALSE;

CREATE OR REPLACE EXTERNAL TABLE user_activity_clean (
  event_date DATE AS (TO_DATE(REGEXP_SUBSTR(METADATA$FILENAME, 'event_date=([^/]+)', 1, 1, 'e', 1))),
  hour INTEGER AS (TO_NUMBER(REGEXP_SUBSTR(METADATA$FILENAME, 'hour=([^/]+)', 1, 1, 'e', 1))),
  event_id VARCHAR AS (VALUE:"event_id"::VARCHAR),
  user_id VARCHAR AS (VALUE:"user_id"::VARCHAR),
  session_id VARCHAR AS (VALUE:"session_id"::VARCHAR),
  session_ordinal INTEGER AS (VALUE:"session_ordinal"::INTEGER),
  event_type VARCHAR AS (VALUE:"event_type"::VARCHAR),
  event_time TIMESTAMP_LTZ AS (VALUE:"event_time"::TIMESTAMP_LTZ),
  page_url VARCHAR AS (VALUE:"page_url"::VARCHAR),
  product_id VARCHAR AS (VALUE:"product_id"::VARCHAR),
  price DOUBLE AS (VALUE:"price"::DOUBLE),
  quantity INTEGER AS (VALUE:"quantity"::INTEGER),
  revenue DOUBLE AS (VALUE:"revenue"::DOUBLE),
  device VARCHAR AS (VALUE:"device"::VARCHAR),
  country VARCHAR AS (VALUE:"country"::VARCHAR)
)
PARTITION BY (event_date, hour)
LOCATION = @lakepipe_lake/user_activity/clean/parquet/
FILE_FORMAT = (FORMAT_NAME = 'lakepipe_parquet')
AUTO_REFRESH = FALSE;

CREATE OR REPLACE EXTERNAL TABLE user_activity_demographics_events_by_country (
  country VARCHAR AS (VALUE:"country"::VARCHAR),
  users BIGINT AS (VALUE:"users"::BIGINT),
  share DOUBLE AS (VALUE:"share"::DOUBLE)
)
LOCATION = @lakepipe_lake/user_activity/demographics/parquet/events_by_country/
FILE_FORMAT = (FORMAT_NAME = 'lakepipe_parquet')
AUTO_REFRESH = FALSE;

CREATE OR REPLACE EXTERNAL TABLE user_activity_demographics_users_by_country (
  country VARCHAR AS (VALUE:"country"::VARCHAR),
  users BIGINT AS (VALUE:"users"::BIGINT),
  share DOUBLE AS (VALUE:"share"::DOUBLE)
)
LOCATION = @lakepipe_lake/user_activity/demographics/parquet/users_by_country/
FILE_FORMAT = (FORMAT_NAME = 'lakepipe_parquet')
AUTO_REFRESH = FALSE;

CREATE OR REPLACE EXTERNAL TABLE user_activity_raw (
  event_date DATE AS (TO_DATE(REGEXP_SUBSTR(METADATA$FILENAME, 'event_date=([^/]+)', 1, 1, 'e', 1))),
  hour INTEGER AS (TO_NUMBER(REGEXP_SUBSTR(METADATA$FILENAME, 'hour=([^/]+)', 1, 1, 'e', 1))),
  event_id VARCHAR AS (VALUE:"event_id"::VARCHAR),
  user_id VARCHAR AS (VALUE:"user_id"::VARCHAR),
  session_id VARCHAR AS (VALUE:"session_id"::VARCHAR),
  event_type VARCHAR AS (VALUE:"event_type"::VARCHAR),
  event_time TIMESTAMP_LTZ AS (VALUE:"event_time"::TIMESTAMP_LTZ),
  page_url VARCHAR AS (VALUE:"page_url"::VARCHAR),
  product_id VARCHAR AS (VALUE:"product_id"::VARCHAR),
  price DOUBLE AS (VALUE:"price"::DOUBLE),
  quantity INTEGER AS (VALUE:"quantity"::INTEGER),
  device VARCHAR AS (VALUE:"device"::VARCHAR),
  country VARCHAR AS (VALUE:"country"::VARCHAR)
)
PARTITION BY (event_date, hour)
LOCATION = @lakepipe_lake/user_activity/raw/parquet/
FILE_FORMAT = (FORMAT_NAME = 'lakepipe_parquet')
AUTO_REFRESH = FALSE;

CREATE OR REPLACE EXTERNAL TABLE user_activity_timeseries_events_daily (
  event_date DATE AS (TO_DATE(REGEXP_SUBSTR(METADATA$FILENAME, 'event_date=([^/]+)', 1, 1, 'e', 1))),
  event_type VARCHAR AS (VALUE:"event_type"::VARCHAR),
  events BIGINT AS (VALUE:"events"::BIGINT),
  moving_avg DOUBLE AS (VALUE:"moving_avg"::DOUBLE),
  zscore DOUBLE AS (VALUE:"zscore"::DOUBLE),
  anomaly BOOLEAN AS (VALUE:"anomaly"::BOOLEAN),
  partial BOOLEAN AS (VALUE:"partial"::BOOLEAN)
)
PARTITION BY (event_date)
LOCATION = @lakepipe_lake/user_activity/timeseries/parquet/events_daily/
FILE_FORMAT = (FORMAT_NAME = 'lakepipe_parquet')
AUTO_REFRESH = FALSE;

CREATE OR REPLACE EXTERNAL TABLE user_activity_timeseries_events_hourly (
  event_date DATE AS (TO_DATE(REGEXP_SUBSTR(METADATA$FILENAME, 'event_date=([^/]+)', 1, 1, 'e', 1))),
  hour_start TIMESTAMP_LTZ AS (VALUE:"hour_start"::TIMESTAMP_LTZ),
  event_type VARCHAR AS (VALUE:"event_type"::VARCHAR),
  events BIGINT AS (VALUE:"events"::BIGINT),
  moving_avg DOUBLE AS (VALUE:"moving_avg"::DOUBLE),
  zscore DOUBLE AS (VALUE:"zscore"::DOUBLE),
  anomaly BOOLEAN AS (VALUE:"anomaly"::BOOLEAN),
  partial BOOLEAN AS (VALUE:"partial"::BOOLEAN)
)
PARTITION BY (event_date)
LOCATION = @lakepipe_lake/user_activity/timeseries/parquet/events_hourly/
FILE_FORMAT = (FORMAT_NAME = 'lakepipe_parquet')
AUTO_REFRESH = FALSE;

CREATE OR REPLACE EXTERNAL TABLE users_analytics_age_groups (
  age_group VARCHAR AS (VALUE:"age_group"::VARCHAR),
  users BIGINT AS (VALUE:"users"::BIGINT),
  share DOUBLE AS (VALUE:"share"::DOUBLE)
)
LOCATION = @lakepipe_lake/users/analytics/parquet/age_groups/
FILE_FORMAT = (FORMAT_NAME = 'lakepipe_parquet')
AUTO_REFRESH = FALSE;

CREATE OR REPLACE EXTERNAL TABLE users_analytics_email_domains (
  rank INTEGER AS (VALUE:"rank"::INTEGER),
  email_domain VARCHAR AS (VALUE:"email_domain"::VARCHAR),
  users BIGINT AS (VALUE:"users"::BIGINT),
  share DOUBLE AS (VALUE:"share"::DOUBLE)
)
LOCATION = @lakepipe_lake/users/analytics/parquet/email_domains/
FILE_FORMAT = (FORMAT_NAME = 'lakepipe_parquet')
AUTO_REFRESH = FALSE;

CREATE OR REPLACE EXTERNAL TABLE users_analytics_gender_distribution (
  gender VARCHAR AS (VALUE:"gender"::VARCHAR),
  users BIGINT AS (VALUE:"users"::BIGINT),
  share DOUBLE AS (VALUE:"share"::DOUBLE)
)
LOCATION = @lakepipe_lake/users/analytics/parquet/gender_distribution/
FILE_FORMAT = (FORMAT_NAME = 'lakepipe_parquet')
AUTO_REFRESH = FALSE;

CREATE OR REPLACE EXTERNAL TABLE users_clean (
  registration_year INTEGER AS (TO_NUMBER(REGEXP_SUBSTR(METADATA$FILENAME, 'registration_year=([^/]+)', 1, 1, 'e', 1))),
  id VARCHAR AS (VALUE:"id"::VARCHAR),
  first_name VARCHAR AS (VALUE:"first_name"::VARCHAR),
  last_name VARCHAR AS (VALUE:"last_name"::VARCHAR),
  gender VARCHAR AS (VALUE:"gender"::VARCHAR),
  email VARCHAR AS (VALUE:"email"::VARCHAR),
  email_domain VARCHAR AS (VALUE:"email_domain"::VARCHAR),
  username VARCHAR AS (VALUE:"username"::VARCHAR),
  phone VARCHAR AS (VALUE:"phone"::VARCHAR),
  address VARCHAR AS (VALUE:"address"::VARCHAR),
  post_code VARCHAR AS (VALUE:"post_code"::VARCHAR),
  city VARCHAR AS (VALUE:"city"::VARCHAR),
  state VARCHAR AS (VALUE:"state"::VARCHAR),
  country VARCHAR AS (VALUE:"country"::VARCHAR),
  nat VARCHAR AS (VALUE:"nat"::VARCHAR),
  picture VARCHAR AS (VALUE:"picture"::VARCHAR),
  dob TIMESTAMP_LTZ AS (VALUE:"dob"::TIMESTAMP_LTZ),
  dob_date DATE AS (VALUE:"dob_date"::DATE),
  age INTEGER AS (VALUE:"age"::INTEGER),
  age_group VARCHAR AS (VALUE:"age_group"::VARCHAR),
  registered_date TIMESTAMP_LTZ AS (VALUE:"registered_date"::TIMESTAMP_LTZ),
  registration_date DATE AS (VALUE:"registration_date"::DATE),
  tenure_days INTEGER AS (VALUE:"tenure_days"::INTEGER)
)
PARTITION BY (registration_year)
LOCATION = @lakepipe_lake/users/clean/parquet/
FILE_FORMAT = (FORMAT_NAME = 'lakepipe_parquet')
AUTO_REFRESH = FALSE;

CREATE OR REPLACE EXTERNAL TABLE users_demographics_users_by_country (
  country VARCHAR AS (VALUE:"country"::VARCHAR),
  users BIGINT AS (VALUE:"users"::BIGINT),
  share DOUBLE AS (VALUE:"share"::DOUBLE)
)
LOCATION = @lakepipe_lake/users/demographics/parquet/users_by_country/
FILE_FORMAT = (FORMAT_NAME = 'lakepipe_parquet')
AUTO_REFRESH = FALSE;

CREATE OR REPLACE EXTERNAL TABLE users_demographics_users_by_country_state (
  country VARCHAR AS (VALUE:"country"::VARCHAR),
  state VARCHAR AS (VALUE:"state"::VARCHAR),
  users BIGINT AS (VALUE:"users"::BIGINT),
  share_of_country DOUBLE AS (VALUE:"share_of_country"::DOUBLE),
  share DOUBLE AS (VALUE:"share"::DOUBLE)
)
LOCATION = @lakepipe_lake/users/demographics/parquet/users_by_country_state/
FILE_FORMAT = (FORMAT_NAME = 'lakepipe_parquet')
AUTO_REFRESH = FALSE;

CREATE OR REPLACE EXTERNAL TABLE users_raw (
  event_date DATE AS (TO_DATE(REGEXP_SUBSTR(METADATA$FILENAME, 'event_date=([^/]+)', 1, 1, 'e', 1))),
  hour INTEGER AS (TO_NUMBER(REGEXP_SUBSTR(METADATA$FILENAME, 'hour=([^/]+)', 1, 1, 'e', 1))),
  id VARCHAR AS (VALUE:"id"::VARCHAR),
  first_name VARCHAR AS (VALUE:"first_name"::VARCHAR),
  last_name VARCHAR AS (VALUE:"last_name"::VARCHAR),
  gender VARCHAR AS (VALUE:"gender"::VARCHAR),
  address VARCHAR AS (VALUE:"address"::VARCHAR),
  post_code VARCHAR AS (VALUE:"post_code"::VARCHAR),
  email VARCHAR AS (VALUE:"email"::VARCHAR),
  username VARCHAR AS (VALUE:"username"::VARCHAR),
  dob TIMESTAMP_LTZ AS (VALUE:"dob"::TIMESTAMP_LTZ),
  registered_date TIMESTAMP_LTZ AS (VALUE:"registered_date"::TIMESTAMP_LTZ),
  phone VARCHAR AS (VALUE:"phone"::VARCHAR),
  picture VARCHAR AS (VALUE:"picture"::VARCHAR),
  city VARCHAR AS (VALUE:"city"::VARCHAR),
  state VARCHAR AS (VALUE:"state"::VARCHAR),
  country VARCHAR AS (VALUE:"country"::VARCHAR),
  nat VARCHAR AS (VALUE:"nat"::VARCHAR)
)
PARTITION BY (event_date, hour)
LOCATION = @lakepipe_lake/users/raw/parquet/
FILE_FORMAT = (FORMAT_NAME = 'lakepipe_parquet')
AUTO_REFRESH = FALSE;

CREATE OR REPLACE EXTERNAL TABLE users_timeseries_registrations_daily (
  registration_year INTEGER AS (TO_NUMBER(REGEXP_SUBSTR(METADATA$FILENAME, 'registration_year=([^/]+)', 1, 1, 'e', 1))),
  date DATE AS (VALUE:"date"::DATE),
  registrations BIGINT AS (VALUE:"registrations"::BIGINT),
  moving_avg DOUBLE AS (VALUE:"moving_avg"::DOUBLE),
  zscore DOUBLE AS (VALUE:"zscore"::DOUBLE),
  anomaly BOOLEAN AS (VALUE:"anomaly"::BOOLEAN),
  partial BOOLEAN AS (VALUE:"partial"::BOOLEAN)
)
PARTITION BY (registration_year)
LOCATION = @lakepipe_lake/users/timeseries/parquet/registrations_daily/
FILE_FORMAT = (FORMAT_NAME = 'lakepipe_parquet')
AUTO_REFRESH = FALSE;

-- Refresh: the tables list the files present when they were created. After new
-- archive or transform runs, refresh them (or create them with AUTO_REFRESH = TRUE
-- and send the bucket's S3 event notifications to the queue that
-- SHOW EXTERNAL TABLES lists as notification_channel):
ALTER EXTERNAL TABLE user_activity_analytics_events_by_type_daily REFRESH;
ALTER EXTERNAL TABLE user_activity_analytics_events_by_type_hourly REFRESH;
ALTER EXTERNAL TABLE user_activity_analytics_funnel_daily REFRESH;
ALTER EXTERNAL TABLE user_activity_analytics_revenue_by_product REFRESH;
ALTER EXTERNAL TABLE user_activity_analytics_revenue_daily REFRESH;
ALTER EXTERNAL TABLE user_activity_analytics_users_sessions_daily REFRESH;
ALTER EXTERNAL TABLE user_activity_clean REFRESH;
ALTER EXTERNAL TABLE user_activity_demographics_events_by_country REFRESH;
ALTER EXTERNAL TABLE user_activity_demographics_users_by_country REFRESH;
ALTER EXTERNAL TABLE user_activity_raw REFRESH;
ALTER EXTERNAL TABLE user_activity_timeseries_events_daily REFRESH;
ALTER EXTERNAL TABLE user_activity_timeseries_events_hourly REFRESH;
ALTER EXTERNAL TABLE users_analytics_age_groups REFRESH;
ALTER EXTERNAL TABLE users_analytics_email_domains REFRESH;
ALTER EXTERNAL TABLE users_analytics_gender_distribution REFRESH;
ALTER EXTERNAL TABLE users_clean REFRESH;
ALTER EXTERNAL TABLE users_demographics_users_by_country REFRESH;
ALTER EXTERNAL TABLE users_demographics_users_by_country_state REFRESH;
ALTER EXTERNAL TABLE users_raw REFRESH;
ALTER EXTERNAL TABLE users_timeseries_registrations_daily REFRESH;

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

