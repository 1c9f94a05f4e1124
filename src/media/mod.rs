//! What the server learns from and does to an uploaded file's bytes, as
//! plain functions: sniffing the content type, and for raster images their
//! size, a thumbnail and the removal of metadata.

pub mod avatar;
mod gif;
pub mod image;
pub mod sniff;
pub mod strip;

pub use self::image::{process, MediaError, Processed};
pub use sniff::{sniff, ImageFormat, Kind, Sniffed, SNIFF_LEN};
