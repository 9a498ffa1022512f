//! Payment gateways: the wire formats only (signing, verifying, URLs). Settling a payment is
//! the shop's business (`shop::checkout`).

pub mod epay;
