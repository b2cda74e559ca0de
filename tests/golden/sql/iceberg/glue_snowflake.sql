-- Snowflake: Iceberg tables

-- Iceberg tables: Snowflake reads them through a catalog integration (the REST
-- catalog's, or one for metadata files in object storage) and an external volume.

-- An external volume over s3://lake/: Snowflake reads the tables' files through it.
CREATE EXTERNAL VOLUME IF NOT EXISTS lakepipe_iceberg_volume
  STORAGE_LOCATIONS = ((
    NAME = 'lakepipe'
    STORAGE_PROVIDER = 'S3'
    STORAGE_BASE_URL = 's3://lake/'
    STORAGE_AWS_ROLE_ARN = '<arn of an IAM role Snowflake assumes to read the bucket>'
  ))
  ALLOW_WRITES = FALSE;

-- The REST catalog at https://glue.us-east-1.amazonaws.com/iceberg (credentials to fill in).
CREATE CATALOG INTEGRATION IF NOT EXISTS lakepipe_iceberg_rest
  CATALOG_SOURCE = ICEBERG_REST
  TABLE_FORMAT = ICEBERG
  REST_CONFIG = (
    CATALOG_URI = 'https://glue.us-east-1.amazonaws.com/iceberg'
    CATALOG_API_TYPE = AWS_GLUE
    CATALOG_NAME = '123456789012'
  )
  REST_AUTHENTICATION = (
    TYPE = SIGV4
    SIGV4_IAM_ROLE = '<arn of an IAM role Snowflake assumes>'
    SIGV4_SIGNING_REGION = 'us-east-1'
  )
  ENABLED = TRUE;

-- users_raw: Iceberg table default.users (rest catalog, snapshot 4242424242)
CREATE OR REPLACE ICEBERG TABLE users_raw
  EXTERNAL_VOLUME = 'lakepipe_iceberg_volume'
  CATALOG = 'lakepipe_iceberg_rest'
  CATALOG_NAMESPACE = 'default'
  CATALOG_TABLE_NAME = 'users'
  AUTO_REFRESH = TRUE;

-- users_clean: Iceberg table default.users_clean (rest catalog, snapshot 4242424242)
CREATE OR REPLACE ICEBERG TABLE users_clean
  EXTERNAL_VOLUME = 'lakepipe_iceberg_volume'
  CATALOG = 'lakepipe_iceberg_rest'
  CATALOG_NAMESPACE = 'default'
  CATALOG_TABLE_NAME = 'users_clean'
  AUTO_REFRESH = TRUE;

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

