//! Options and helpers shared by subcommands: opening an image and picking
//! the volume to work on. Owned by the `rift-target` work; subcommands call
//! these instead of stacking readers themselves.
#![allow(dead_code)]
