momento_functions::route!();

fn main() {}
