//! The default theme (`themes/default/`) is embedded in the binary at
//! compile time. Cargo notices edits to the files already embedded, but
//! not a file added or removed: this makes any change to the folder
//! rebuild the crate.

fn main() {
    println!("cargo:rerun-if-changed=themes/default");
}
