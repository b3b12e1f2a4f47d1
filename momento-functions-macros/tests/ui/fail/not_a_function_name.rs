momento_functions::post!(42);

fn main() {}
