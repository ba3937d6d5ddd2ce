//! What `#[boxed]` promises: the same answers as the `async fn` it replaces, a boxed `Send`
//! future, arguments that live as long as the future, and generic or private functions untouched.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use tutti_boxed::boxed;

/// Runs a future that never waits.
fn ready<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    match future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(value) => value,
        Poll::Pending => panic!("the future waited"),
    }
}

/// Accepts only what `#[boxed]` promises to return.
fn is_boxed_send<'a, T>(
    future: Pin<Box<dyn Future<Output = T> + Send + 'a>>,
) -> Pin<Box<dyn Future<Output = T> + Send + 'a>> {
    future
}

struct Shop {
    name: String,
}

/// Records when it is dropped.
struct Witness(Arc<Mutex<Vec<&'static str>>>);

impl Drop for Witness {
    fn drop(&mut self) {
        self.0.lock().unwrap().push("argument dropped");
    }
}

#[derive(Debug, PartialEq)]
struct Refused(String);

impl From<std::num::ParseIntError> for Refused {
    fn from(e: std::num::ParseIntError) -> Self {
        Refused(e.to_string())
    }
}

#[boxed]
impl Shop {
    pub async fn greet(&self, who: &str, mark: &'static str) -> String {
        format!("{} greets {who}{mark}", self.name)
    }

    pub async fn count(&self, mut n: u32) -> u32 {
        n += 1;
        n
    }

    pub async fn parse(&self, text: &str) -> Result<i64, Refused> {
        if text.is_empty() {
            return Err(Refused("empty".into()));
        }
        Ok(text.parse::<i64>()?)
    }

    pub async fn hold(&self, witness: Witness) {
        witness.0.lock().unwrap().push("body ran");
    }

    pub async fn nothing(&self, (a, b): (u8, u8)) -> u16 {
        u16::from(a) + u16::from(b)
    }

    pub async fn generic<T>(&self, value: T) -> T {
        value
    }

    async fn private(&self) -> usize {
        self.name.len()
    }

    pub async fn calls_private(&self) -> usize {
        self.private().await
    }
}

#[boxed]
pub async fn free(text: &str) -> usize {
    text.len()
}

#[boxed]
pub async fn free_generic<T>(value: T) -> T {
    value
}

#[test]
fn a_method_answers_as_its_async_fn_did_and_returns_a_boxed_send_future() {
    let shop = Shop { name: "Tutti".into() };
    let who = String::from("you");
    assert_eq!(ready(is_boxed_send(shop.greet(&who, "!"))), "Tutti greets you!");
    assert_eq!(ready(shop.count(41)), 42);
    assert_eq!(ready(shop.nothing((2, 3))), 5);
    assert_eq!(ready(shop.calls_private()), 5);
    assert_eq!(ready(is_boxed_send(free("four"))), 4);
}

#[test]
fn question_marks_and_early_returns_keep_their_types() {
    let shop = Shop { name: "Tutti".into() };
    assert_eq!(ready(shop.parse("12")), Ok(12));
    assert_eq!(ready(shop.parse("")), Err(Refused("empty".into())));
    assert!(ready(shop.parse("x")).unwrap_err().0.contains("invalid digit"));
}

#[test]
fn an_argument_lives_until_the_future_is_done_as_in_an_async_fn() {
    let shop = Shop { name: "Tutti".into() };
    let log = Arc::new(Mutex::new(Vec::new()));
    let future = shop.hold(Witness(log.clone()));
    assert!(
        log.lock().unwrap().is_empty(),
        "nothing happens before the future is polled"
    );
    ready(future);
    assert_eq!(*log.lock().unwrap(), ["body ran", "argument dropped"]);
}

#[test]
fn a_generic_method_is_left_as_it_was_so_its_future_need_not_be_send() {
    let shop = Shop { name: "Tutti".into() };
    // An Rc is not Send: a boxed Send future could not hold it.
    let shared = Rc::new(RefCell::new(7));
    assert_eq!(*ready(shop.generic(shared.clone())).borrow(), 7);
    assert_eq!(*ready(free_generic(shared)).borrow(), 7);
}
