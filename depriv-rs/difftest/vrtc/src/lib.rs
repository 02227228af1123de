//! Differential tests of `vrtc` against Xen's C (filled by the vrtc issue).
