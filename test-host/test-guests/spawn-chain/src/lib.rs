//! A spawn function registered as `chain`: its payload is a count; while it is above zero it spawns
//! `chain` again with one less, and its note says how that went (`spawned 3`, or the spawn's error).

use momento_functions::spawn::{self, SpawnOutcome};

momento_functions::spawn!(chain);
fn chain(count: String) -> SpawnOutcome {
    let Ok(count) = count.trim().parse::<u32>() else {
        return SpawnOutcome::FailedNote(format!("not a count: {count}"));
    };
    if count == 0 {
        return SpawnOutcome::OkNote("done".to_owned());
    }
    match spawn::spawn("chain", (count - 1).to_string()) {
        Ok(()) => SpawnOutcome::OkNote(format!("spawned {}", count - 1)),
        Err(e) => SpawnOutcome::FailedNote(e.to_string()),
    }
}
