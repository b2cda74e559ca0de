-- Snowflake: Iceberg tables

-- Iceberg tables: Snowflake reads them through a catalog integration (the REST
-- catalog's, or one for metadata files in object storage) and an external volume.

-- An external volume over s3://lake/wh/: Snowflake reads the tables' files through it.
CREATE EXTERNAL VOLUME IF NOT EXISTS lakepipe_iceberg_volume
  STORAGE_LOCATIONS = ((
    NAME = 'lakepipe'
    STORAGE_PROVIDER = 'S3'
    STORAGE_BASE_URL = 's3://lake/wh/'
    STORAGE_AWS_ROLE_ARN = '<arn of an IAM role Snowflake assumes to read the bucket>'
  ))
  ALLOW_WRITES = FALSE;

-- Tables read from their metadata files.
CREATE CATALOG INTEGRATION IF NOT EXISTS lakepipe_iceberg_files
  CATALOG_SOURCE = OBJECT_STORE
  TABLE_FORMAT = ICEBERG
  ENABLED = TRUE;

-- users_raw: Iceberg table default.users (file catalog, snapshot 4242424242)
CREATE OR REPLACE ICEBERG TABLE users_raw
  EXTERNAL_VOLUME = 'lakepipe_iceberg_volume'
  CATALOG = 'lakepipe_iceberg_files'
  METADATA_FILE_PATH = 'default/users/metadata/v3.metadata.json';

-- users_clean: Iceberg table default.users_clean (file catalog, snapshot 4242424242)
CREATE OR REPLACE ICEBERG TABLE users_clean
  EXTERNAL_VOLUME = 'lakepipe_iceberg_volume'
  CATALOG = 'lakepipe_iceberg_files'
  METADATA_FILE_PATH = 'default/users_clean/metadata/v3.metadata.json';

-- New commits write new metadata files: point the tables at them (lakepipe sql
-- prints the current ones), relative to the external volume:
-- ALTER ICEBERG TABLE users_raw REFRESH '<its newer metadata file>';
-- ALTER ICEBERG TABLE users_clean REFRESH '<its newer metadata file>';

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

