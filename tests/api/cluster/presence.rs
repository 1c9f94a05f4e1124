//! Presence across real processes: an instance that dies takes its users
//! offline everywhere within the bound docs/api-notes.md states.

use std::time::{Duration, Instant};

use serde_json::json;

use super::{enabled, Cluster};
use crate::scaleout::presence_of;

#[actix_web::test]
async fn users_of_a_killed_instance_go_offline_everywhere_within_10_s() {
    let Some((_, redis)) = enabled() else { return };
    let mut cluster = Cluster::start(2, &redis, &[]).await;
    let (a, b) = (cluster.direct(0), cluster.direct(1));
    let ann = a.signup("ann").await;
    let bob = a.signup("bob").await;
    a.create_chat(&ann.token, "watch", &["bob"], false).await;
    let (mut ann_a, _) = a.ws(&ann.token).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (_bob_b, ready) = b.ws(&bob.token).await;
    assert_eq!(ready["online"], json!([ann.id]));
    assert!(presence_of(&mut ann_a, bob.id, Duration::from_secs(5)).await);

    cluster.kill(1);
    let killed = Instant::now();
    assert!(
        !presence_of(&mut ann_a, bob.id, Duration::from_secs(10)).await,
        "offline"
    );
    let took = killed.elapsed();
    assert!(took <= Duration::from_secs(10), "{took:?}");
    println!("bob went offline {took:?} after his instance was killed");
    let (_, ready) = a.ws(&ann.token).await;
    assert_eq!(ready["online"], json!([]), "{}", cluster.log(0));

    // Back on the restarted instance, he is online again for ann.
    cluster.start_instance(1).await;
    let (_bob_b, ready) = cluster.direct(1).ws(&bob.token).await;
    assert_eq!(ready["online"], json!([ann.id]));
    assert!(presence_of(&mut ann_a, bob.id, Duration::from_secs(5)).await);
}
