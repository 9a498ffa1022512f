//! Compiles api/proto with protox (pure Rust; no system protoc) and generates tonic code.

use std::path::PathBuf;

use prost::Message;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto");
    let fds = protox::compile(
        [
            "helium/v1/meta.proto",
            "helium/v1/auth.proto",
            "helium/v1/admin.proto",
            "helium/v1/shop.proto",
            "helium/v1/telecom.proto",
            "helium/v1/market.proto",
            "helium/v1/notify.proto",
            "helium/v1/admin_market.proto",
            "helium/v1/support.proto",
            "helium/v1/webhooks.proto",
        ],
        ["proto"],
    )?;
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(out.join("helium_descriptor.bin"), fds.encode_to_vec())?;
    tonic_prost_build::configure().build_client(true).build_server(true).compile_fds(fds)?;
    Ok(())
}
