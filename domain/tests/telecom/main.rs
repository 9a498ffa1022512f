//! Telecom byte-level tests: goldens, share-link round trips, real-client judges, and an
//! ignored render benchmark. Run the judges alone with
//! `cargo test -p helium-domain --test telecom judges::` (after `deploy/tools/ensure-judges.sh`).

#[cfg(test)]
mod bench;
#[cfg(test)]
mod common;
#[cfg(test)]
mod golden;
#[cfg(test)]
mod judges;
#[cfg(test)]
mod links;
