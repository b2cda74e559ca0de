-- DuckDB: views over Iceberg tables

INSTALL httpfs;
LOAD httpfs;
-- Credentials from the environment or ~/.aws; add ENDPOINT and URL_STYLE 'path'
-- for an S3-compatible store.
CREATE OR REPLACE SECRET lakepipe_s3 (TYPE s3, PROVIDER credential_chain);

-- Iceberg tables through DuckDB's iceberg extension.
INSTALL iceberg;
LOAD iceberg;

-- users_raw: Iceberg table default.users (file catalog, snapshot 4242424242)
--   "id" VARCHAR
--   "gender" VARCHAR
--   "country" VARCHAR
--   "event_time" TIMESTAMPTZ
CREATE OR REPLACE VIEW users_raw AS
  SELECT * FROM iceberg_scan('s3://lake/wh/default/users/metadata/v3.metadata.json');

-- users_clean: Iceberg table default.users_clean (file catalog, snapshot 4242424242)
--   "id" VARCHAR
--   "gender" VARCHAR
--   "country" VARCHAR
--   "age_group" VARCHAR
--   "registered_date" DATE
CREATE OR REPLACE VIEW users_clean AS
  SELECT * FROM iceberg_scan('s3://lake/wh/default/users_clean/metadata/v3.metadata.json');

-- Sample analytics over the clean tables. Each returns the rows of the metric
-- table it names, which the transform jobs keep up to date.

-- sample: users_analytics_gender_distribution (users and share by gender)
SELECT gender, count(*) AS users, CAST(count(*) AS DOUBLE) / sum(count(*)) OVER () AS share FROM users_clean GROUP BY gender ORDER BY users DESC, gender;

-- sample: users_demographics_users_by_country (users and share by country)
SELECT country, count(*) AS users, CAST(count(*) AS DOUBLE) / sum(count(*)) OVER () AS share FROM users_clean GROUP BY country ORDER BY users DESC, country;

-- sample: users_analytics_age_groups (users and share by age group)
SELECT age_group, count(*) AS users, CAST(count(*) AS DOUBLE) / sum(count(*)) OVER () AS share FROM users_clean GROUP BY age_group ORDER BY age_group;

-- Data quality: rows per table.
SELECT 'users_raw' AS table_name, count(*) AS row_count FROM users_raw
UNION ALL
SELECT 'users_clean' AS table_name, count(*) AS row_count FROM users_clean
ORDER BY table_name;

-- Data quality: null rates of users_clean's nullable columns.
SELECT count(*) AS row_count,
  avg(CASE WHEN country IS NULL THEN 1.0 ELSE 0.0 END) AS country_null_rate
FROM users_clean;

-- Data quality: freshness of users_clean (its newest record).
SELECT max(registered_date) AS newest, count(*) AS row_count FROM users_clean;

