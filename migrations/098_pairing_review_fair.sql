-- The township's yearly review of a pairing rates 好, 较好, 一般 or 差 (src/domain/step-outcomes.ts reviewRatings):
-- 一般 sits between 较好 and 差. Reviews recorded before keep their values, all of which stay valid.
alter table pairing_reviews drop constraint pairing_reviews_rating_check;
alter table pairing_reviews add constraint pairing_reviews_rating_check check (rating in ('good', 'adequate', 'fair', 'poor'));
