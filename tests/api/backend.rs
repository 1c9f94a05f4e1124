//! Proves which backend the suite is exercising, so a PostgreSQL run that
//! silently fell back to SQLite cannot pass unnoticed.

use diesel::{Connection, PgConnection, RunQueryDsl};

use crate::helpers::spawn_app;

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[actix_web::test]
async fn the_postgres_run_really_stores_in_a_fresh_postgres_database() {
    if std::env::var("MICROCHAT_TEST_DATABASE_URL").map_or(true, |v| v.is_empty()) {
        println!("skipped: MICROCHAT_TEST_DATABASE_URL is not set, so this run uses SQLite");
        return;
    }
    let app = spawn_app().await;
    let url = app.settings.database_url.clone();
    assert!(url.starts_with("postgres"), "{url}");
    app.signup("pgcheck").await;
    let mut conn = PgConnection::establish(&url).unwrap();
    let rows: Vec<Count> =
        diesel::sql_query("SELECT count(*) AS n FROM users WHERE username = 'pgcheck'")
            .load(&mut conn)
            .unwrap();
    assert_eq!(rows[0].n, 1);
    let total: Vec<Count> = diesel::sql_query("SELECT count(*) AS n FROM users")
        .load(&mut conn)
        .unwrap();
    assert_eq!(total[0].n, 1, "each test gets its own fresh database");
}
