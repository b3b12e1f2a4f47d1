//! {{name}}: server-sent events. `GET /?count=3` streams three `tick` events (ids 1, 2, 3), then a
//! `done` event; each reaches the client the moment it is sent. A count over 100 is answered 400 before
//! anything is streamed.

use momento_functions::stream::{EventStream, SseEvent, Streamed};
use momento_functions::{FunctionError, FunctionResult, Query, log};

/// Most events one request may ask for.
const MAX_COUNT: u32 = 100;

#[derive(serde::Deserialize)]
struct Ticks {
    count: Option<u32>,
}

momento_functions::get!(ticks);

fn ticks(Query(ticks): Query<Ticks>) -> FunctionResult<Streamed> {
    let count = ticks.count.unwrap_or(3);
    if count > MAX_COUNT {
        return Err(FunctionError::bad_request(format!(
            "count is {count}, at most {MAX_COUNT}"
        )));
    }
    // The first event sends status 200 and `content-type: text/event-stream`.
    let mut events = EventStream::new();
    for n in 1..=count {
        events.send(
            SseEvent::data(format!("tick {n} of {count}"))
                .with_event("tick")
                .with_id(n.to_string()),
        )?;
    }
    events.send(SseEvent::named("done").with_data(count.to_string()))?;
    log::info!("sent {count} ticks");
    Ok(events.finish())
}
