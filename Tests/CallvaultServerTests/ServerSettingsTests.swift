import Foundation
import Testing
import CallvaultArchive
import CallvaultConfiguration
import CallvaultModel

/// `[server]` in callvault.toml: read strictly, with the line of anything wrong.
@Suite struct ServerSettingsTests {
    @Test func theServerTableIsRead() throws {
        let config = try ArchiveConfiguration.parse("""
            country = "FI"
            [server]
            host = "0.0.0.0"
            port = 9000
            expiry_interval = "PT15M"
            spool_interval = "PT0.25S"
            max_ingest_bytes = 1_048_576
            max_json_bytes = 4096
            idle_timeout = "PT10S"
            metrics_addresses = ["10.0.0.7", "192.168.10.0/24", "fd00::/8"]
            metrics_token_file = "/etc/callvault/metrics.token"
            """)
        #expect(config.server.idleTimeout == 10)
        #expect(config.server.metricsAddresses.map(\.description) == ["10.0.0.7", "192.168.10.0/24", "fd00::/8"])
        #expect(config.server.metricsTokenFile == "/etc/callvault/metrics.token")
        #expect(config.server.host == "0.0.0.0")
        #expect(config.server.port == 9000)
        #expect(config.server.expiryInterval == 900)
        #expect(config.server.spoolInterval == 0.25)
        #expect(config.server.maxIngestBytes == 1_048_576)
        #expect(config.server.maxJSONBytes == 4096)
        let defaults = try ArchiveConfiguration.parse(ArchiveConfiguration().rendered())
        #expect(defaults.server == ServerSettings())
        #expect(defaults.server.expiryInterval == 3600 && defaults.server.maxIngestBytes == 2 << 30)
        // By default no address reads /metrics without a token, and idle connections close after 30 s.
        #expect(defaults.server.metricsAddresses.isEmpty && defaults.server.metricsTokenFile == nil && defaults.server.idleTimeout == 30)
    }

    @Test func wrongValuesNameTheirLine() {
        for (text, message) in [
            ("[server]\nport = 70000", "callvault.toml line 2: port must be 0–65535"),
            ("[server]\n\nexpiry_interval = \"1 hour\"", "callvault.toml line 3: expiry_interval must be an ISO 8601 duration such as \"PT1H\" or \"P1D\""),
            ("[server]\nmax_json_bytes = 10", "callvault.toml line 2: max_json_bytes must be 1024–16777216"),
            ("[server]\nlisten = \"x\"", "callvault.toml line 2: unknown key 'server.listen' or wrong type of value"),
            ("[server]\nmetrics_addresses = [\"localhost\"]", "callvault.toml line 2: metrics_addresses: 'localhost' is not an IP address or a CIDR block such as \"10.0.0.0/24\""),
            ("[server]\nmetrics_token_file = \"metrics.token\"", "callvault.toml line 2: metrics_token_file must be an absolute path, such as \"/etc/callvault/metrics.token\""),
            ("[server]\nidle_timeout = \"PT0S\"", "callvault.toml line 2: idle_timeout must be an ISO 8601 duration from PT1S to PT1H, such as \"PT30S\""),
        ] {
            let error = #expect(throws: ArchiveFailure.self) { try ArchiveConfiguration.parse(text) }
            #expect(error?.message == message)
        }
    }

    @Test func durationsAreISO8601() {
        #expect(ServerSettings.seconds(iso8601: "PT1H") == 3600)
        #expect(ServerSettings.seconds(iso8601: "P1DT2H30M") == 95_400)
        #expect(ServerSettings.seconds(iso8601: "PT0.5S") == 0.5)
        #expect(ServerSettings.seconds(iso8601: "PT0S") == 0)
        for bad in ["", "P", "PT", "1H", "PT1D", "P1H", "PTH", "PT1H2", "P-1D"] {
            #expect(ServerSettings.seconds(iso8601: bad) == nil, "\(bad)")
        }
    }
}
