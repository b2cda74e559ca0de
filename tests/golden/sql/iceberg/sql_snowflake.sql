-- Snowflake: Iceberg tables

-- Iceberg tables: Snowflake reads them through a catalog integration (the REST
-- catalog's, or one for metadata files in object storage) and an external volume.

-- users_raw: Iceberg table default.users (sql catalog, snapshot 4242424242)
CREATE OR REPLACE ICEBERG TABLE users_raw
  EXTERNAL_VOLUME = 'my_volume'
  CATALOG = 'my_files'
  METADATA_FILE_PATH = 'default/users/metadata/00002-6f1c1b9e-6a55-4c53-9a0e-2d8f2f1f7c11.metadata.json';

-- users_clean: Iceberg table default.users_clean (sql catalog, snapshot 4242424242)
CREATE OR REPLACE ICEBERG TABLE users_clean
  EXTERNAL_VOLUME = 'my_volume'
  CATALOG = 'my_files'
  METADATA_FILE_PATH = 'default/users_clean/metadata/00002-6f1c1b9e-6a55-4c53-9a0e-2d8f2f1f7c11.metadata.json';

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

