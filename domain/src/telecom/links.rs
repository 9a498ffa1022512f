//! Share-link parser.
