// sqlx::migrate! embeds the migrations at compile time; without this a new
// migration file would not trigger a rebuild and would silently be missing.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    // Read by scripts/cc-startup-order as it links planbot, which cargo does
    // not know: without these a new list would wait for a change to the code.
    println!("cargo:rerun-if-changed=build/startup-order.txt");
    println!("cargo:rerun-if-changed=scripts/cc-startup-order");
}
