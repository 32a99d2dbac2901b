-- The muster list reads the guests inside each site.
CREATE INDEX visits_site_inside ON visits (site_id, inside);
