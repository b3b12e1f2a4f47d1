//! A spawn function (`spawn!`): given `{"image": id, "width": n}`, it reads `image:<id>` from the cache,
//! makes a "thumbnail" of it (every k-th byte, so that `n` bytes remain) and stores it as `thumb:<id>`
//! for ten minutes. Its note says what it did; a missing image is a failure with a note.
//! `examples/spawn-upload` spawns it after an upload.

use std::time::Duration;

use momento_functions::spawn::SpawnOutcome;
use momento_functions::{Json, cache, log};

#[derive(serde::Deserialize)]
struct Resize {
    image: String,
    width: usize,
}

momento_functions::spawn!(resize);
fn resize(Json(job): Json<Resize>) -> Result<SpawnOutcome, cache::Error> {
    let Some(image) = cache::get(format!("image:{}", job.image))? else {
        return Ok(SpawnOutcome::FailedNote(format!(
            "no image {} in the cache",
            job.image
        )));
    };
    let thumbnail = shrink(&image, job.width);
    cache::set(
        format!("thumb:{}", job.image),
        &thumbnail,
        Duration::from_secs(600),
    )?;
    log::info!("thumbnail of {}: {} bytes", job.image, thumbnail.len());
    Ok(SpawnOutcome::OkNote(format!(
        "thumb:{} is {} bytes",
        job.image,
        thumbnail.len()
    )))
}

/// Every k-th byte, so that at most `width` remain.
fn shrink(image: &[u8], width: usize) -> Vec<u8> {
    if width == 0 {
        return Vec::new();
    }
    let step = image.len().div_ceil(width).max(1);
    image.iter().step_by(step).copied().collect()
}
