//! Differential tests of `vpic` against Xen's C (filled by the vpic issue).
