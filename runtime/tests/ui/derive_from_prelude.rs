// `#[derive(JsonSchema)]` with only `use mcp_runtime::prelude::*;`. trybuild
// builds this case with every dependency of the runtime, schemars included,
// so the module below drops the extern prelude (`no_implicit_prelude`): the
// `schemars::` paths the derive emits must then come from the runtime's
// prelude, as in a generated project that depends on the runtime and serde
// but not on schemars. serde's derive uses `extern crate serde`, which needs
// no prelude.
#[no_implicit_prelude]
mod user {
    // The std prelude back; the extern prelude (crate names) stays out.
    use ::std::prelude::rust_2021::*;
    use ::mcp_runtime::prelude::*;

    /// Arguments of `greet`.
    #[derive(Deserialize, Serialize, JsonSchema)]
    pub struct GreetArgs {
        /// Who to greet.
        pub name: String,
        /// How many times.
        pub times: Option<u8>,
    }

    pub async fn greet(Args(GreetArgs { name, times }): Args<GreetArgs>) -> String {
        let _ = times;
        name
    }
}

// The ordinary case: schemars also a direct dependency (trybuild gives this
// crate the runtime's), glob-imported alongside; the two names agree.
mod both {
    use mcp_runtime::prelude::*;

    #[derive(Deserialize, schemars::JsonSchema)]
    pub struct Point {
        pub x: i64,
    }
}

fn main() {
    let _ = mcp_runtime::Server::new("demo").tool("greet", user::greet);
    let _ = std::mem::size_of::<both::Point>();
}
