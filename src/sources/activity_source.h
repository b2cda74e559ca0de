// The `activity` generator: e-commerce user sessions as events
// (schemas/user_activity.avsc), for a simulated shop at
// https://shop.example.com.
//
// Users and products. A stable pool of kActivityUsers users: user_id is the
// id of users 0..kActivityUsers-1 of the `users` generator with the same
// seed, so the two streams join; a few users are much more active than
// most. kActivityProducts products in 12 categories, each with a fixed id
// ("P100000"...) and unit price (cents ending in .99 or .49; most under 100).
//
// Sessions. Sessions start on average every kMeanArrivalMillis of simulated
// time, from `now` - 24 h on (about a million events per simulated day), and
// run concurrently; events of all open sessions are emitted in time order,
// so event_time never decreases across the stream and strictly increases
// within a session (think times of 1 s to 10 min). A longer run continues
// past `now` at the same rate. Each session has one user, one device
// (mobile 58%, desktop 35%, tablet 7%) and one country: the ISO code of the
// user's nationality, or (5%) another of the 21.
//
// Funnel, per 1000 sessions:
//   every session     1..12 page views (home, category, search, product);
//                     about 4 events per session in all
//   300 (30%)         add_to_cart: 1-4 products, each after a view of its page
//   ~50 (~5%)         remove_from_cart of one cart item (20% of cart sessions,
//                     but never of the only item of a session that buys)
//    81 (~8%)         purchase (27% of cart sessions): views /cart and
//                     /checkout, then one purchase event per remaining cart
//                     line, so every purchase follows an add_to_cart of its
//                     product in the same session
//
// Null rules: product_id and price (the product's unit price) are set on
// product page views and on every add_to_cart, remove_from_cart and
// purchase, null on other page views; quantity (1 mostly, up to 5) is set on
// add_to_cart, remove_from_cart (the whole line) and purchase, and null on
// every page view.
//
// Thread-safety: a source is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>

#include "sources/source.h"

namespace lakepipe::sources {

inline constexpr uint32_t kActivityUsers = 10000;
inline constexpr uint32_t kActivityProducts = 2000;
inline constexpr uint32_t kCartSessionsPerMille = 300;
inline constexpr uint32_t kPurchaseOfCartPerMille = 270;
inline constexpr uint32_t kRemoveOfCartPerMille = 200;
inline constexpr int64_t kMeanArrivalMillis = 342;
inline constexpr int64_t kActivityWindowMillis = 24 * 3600 * 1000;

Result<std::unique_ptr<Source>> NewActivitySource(const SourceOptions& options);

}  // namespace lakepipe::sources
