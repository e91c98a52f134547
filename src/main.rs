fn main() {
    waymark::start();
}
