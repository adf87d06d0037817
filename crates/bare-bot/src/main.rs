//! A bare serenity + poise bot: it registers `/ping` in one guild and
//! answers "pong", nothing else. No database, no logging, no scheduler:
//! what any bot on this stack costs, so that a bot's own figures can be
//! read as a ratio to it (planbot's `cargo bench --bench bot` does).
//!
//! Run against a Discord-compatible server on this machine only:
//! `BARE_BOT_API=http://127.0.0.1:PORT BARE_BOT_GUILD=ID DISCORD_TOKEN=... bare-bot`.

use poise::serenity_prelude as serenity;

type Error = Box<dyn std::error::Error + Send + Sync>;
type Context<'a> = poise::Context<'a, (), Error>;

/// Answers "pong".
#[poise::command(slash_command)]
async fn ping(ctx: Context<'_>) -> Result<(), Error> {
    ctx.say("pong").await?;
    Ok(())
}

fn setting(name: &str) -> Result<String, Error> {
    std::env::var(name).map_err(|_| format!("{name} is not set").into())
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let api = setting("BARE_BOT_API")?;
    // A yardstick has no business on the internet: loopback or nothing.
    if !api.starts_with("http://127.0.0.1:") {
        return Err(format!("BARE_BOT_API must be http://127.0.0.1:PORT, not {api}").into());
    }
    let guild = serenity::GuildId::new(setting("BARE_BOT_GUILD")?.parse()?);
    let http = serenity::HttpBuilder::new(setting("DISCORD_TOKEN")?)
        .proxy(api.trim_end_matches('/'))
        // serenity's rate limiter would send its requests past the proxy.
        .ratelimiter_disabled(true)
        .build();
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: vec![ping()],
            ..Default::default()
        })
        .setup(move |ctx, _ready, framework| {
            Box::pin(async move {
                poise::builtins::register_in_guild(ctx, &framework.options().commands, guild)
                    .await?;
                Ok(())
            })
        })
        .build();
    let mut client = serenity::ClientBuilder::new_with_http(http, serenity::GatewayIntents::GUILDS)
        .framework(framework)
        .await?;
    client.start().await?;
    Ok(())
}
