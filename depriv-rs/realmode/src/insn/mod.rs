//! One module per instruction family, in the shape of cloud-hypervisor's
//! `emulator/instructions/`: each family extends the execution core
//! (`emu::Emu`) and uses nothing of the driver (`exec`) that calls it.

pub(crate) mod alu;
pub(crate) mod bcd;
pub(crate) mod bits;
pub(crate) mod branch;
pub(crate) mod flagsops;
pub(crate) mod io;
pub(crate) mod muldiv;
pub(crate) mod shift;
pub(crate) mod stack;
pub(crate) mod string;
pub(crate) mod system;
