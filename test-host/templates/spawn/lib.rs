//! {{name}}: a spawn function. Given `{"key": "k", "text": "..."}` it counts the words of the text and
//! stores the count in the cache as `words:k` for an hour; its result's note says so. A web function starts
//! it by name, after which it runs on its own:
//! `momento_functions::spawn::spawn_json("{{name}}", &serde_json::json!({"key": "k", "text": "a b"}))`.

use std::time::Duration;

use momento_functions::spawn::SpawnOutcome;
use momento_functions::{Json, cache, log};

#[derive(serde::Deserialize)]
struct Job {
    key: String,
    text: String,
}

momento_functions::spawn!(count_words);

fn count_words(Json(job): Json<Job>) -> Result<SpawnOutcome, cache::Error> {
    if job.key.is_empty() {
        return Ok(SpawnOutcome::FailedNote("the key is empty".to_owned()));
    }
    let words = job.text.split_whitespace().count();
    cache::set(
        format!("words:{}", job.key),
        words.to_string(),
        Duration::from_secs(3600),
    )?;
    log::info!("{}: {words} words", job.key);
    Ok(SpawnOutcome::OkNote(format!("words:{} = {words}", job.key)))
}
