//! The fuzz targets' shared bodies (also driven on stable by `cargo test`).
pub mod bodies;
