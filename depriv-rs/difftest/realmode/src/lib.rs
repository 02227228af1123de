//! Differential tests of `realmode` against Xen's C (filled by the realmode issue).
