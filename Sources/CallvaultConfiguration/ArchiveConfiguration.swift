public import Foundation
public import CallvaultModel
public import CallvaultIngest
public import CallvaultPolicy

/// The settings in `callvault.toml`.
///
/// The file is TOML; callvault reads the subset it writes (tables, strings, integers,
/// booleans, one-line arrays of strings) and names the line of anything else.
public struct ArchiveConfiguration: Sendable, Equatable {
    /// ISO country of the company (`FI`).
    public var country = "FI"
    /// Calling code of that country, digits only (`358`).
    public var countryCode = "358"
    /// The zone PBXs write local times in.
    public var sourceTimeZone = "Europe/Helsinki"
    /// The longest number that is an internal extension (an agent).
    public var extensionMaxDigits = 5
    /// Why personal data may be read; `--purpose` must be one of these.
    public var purposes = ["customer-service", "complaint", "billing-dispute", "legal-claim",
                           "data-subject-request", "security", "technical-fault"]
    /// Retention classes, the ordered rules that pick them, and the audit log's period.
    public var retention = RetentionPolicy.defaults
    /// Exports of PBXs without a parser of their own, read through a column mapping.
    public var sources: [SourceMapping] = []
    /// How `callvault serve` runs (`[server]`).
    public var server = ServerSettings()
    /// How long the spool keeps raw copies (`[spool]`).
    public var spool = SpoolSettings()

    public init() {}

    /// The time zone, validated.
    public func timeZone() throws(ArchiveFailure) -> TimeZone {
        guard let zone = TimeZone(identifier: sourceTimeZone) else {
            throw ArchiveFailure(.badInput, "callvault.toml: source_time_zone '\(sourceTimeZone)' is not a known time zone (e.g. Europe/Helsinki)")
        }
        return zone
    }

    /// The text of a new archive's configuration file.
    public func rendered() -> String {
        """
        # callvault configuration. Times in PBX exports are read in source_time_zone.
        country = "\(country)"
        country_code = "\(countryCode)"
        source_time_zone = "\(sourceTimeZone)"
        # Numbers with at most this many digits are internal extensions (agents), never customers.
        extension_max_digits = \(extensionMaxDigits)
        # Allowed values of --purpose.
        purposes = [\(purposes.map { "\"\($0)\"" }.joined(separator: ", "))]

        \(renderedRetention())
        # callvault serve: the HTTP API, the spool watcher and scheduled expiry.
        # [server]
        # host = "127.0.0.1"
        # port = 8080
        # expiry_interval = "PT1H"        # ISO 8601 duration between expiry runs; "PT0S" turns scheduled expiry off
        # spool_interval = "PT0.5S"
        # max_ingest_bytes = 2147483648   # largest upload to POST /api/v1/ingest
        # max_json_bytes = 65536          # largest JSON request body
        # secure_cookies = "auto"         # web UI session cookie Secure: "auto" (behind an HTTPS proxy sending X-Forwarded-Proto), "always", "never"
        # session_idle_timeout = "PT30M"  # a web UI session ends after this long unused
        # idle_timeout = "PT30S"          # a connection that sends no complete request head (or nothing between requests) this long is closed
        # GET /metrics needs an admin's token, the token in metrics_token_file, or a client address listed here
        # metrics_addresses = ["10.0.0.7", "192.168.10.0/24"]   # not the reverse proxy's address: all its clients would share it
        # metrics_token_file = "/etc/callvault/metrics.token"   # Prometheus sends it: authorization.credentials_file

        # How long the spool keeps copies; `expire` removes them after (ISO 8601 periods, P0D: at the next run).
        # [spool]
        # keep_processed = "P7D"          # raw CDR files and recordings after the day they were ingested
        #                                 # (longer while a legal hold covers an item ingested that day)
        # keep_rejected = "P30D"          # rejected files, for an operator to fix and drop in again

        # A PBX without a parser of its own (3CX, …): name its columns, and `ingest` reads it.
        # [sources.3cx]
        # format = "csv"                  # or "jsonl" (one JSON object per line; the names below are keys)
        # delimiter = ","
        # header = true                   # false: the values below are column numbers from 1
        # start = "Call Time"             # required: start, from, to
        # end = "End Time"
        # answer = "Answer Time"
        # duration = "Duration"           # seconds or H:MM:SS
        # from = "Caller"
        # to = "Destination"
        # unique_id = "Call ID"
        # direction = "Direction"         # inbound/outbound/internal, in/out, incoming/outgoing
        # disposition = "Status"          # answered, no answer/missed, busy, failed, …
        # agent = "Agent"
        # caller_name = "Caller Name"
        # time_format = "dd.MM.yyyy HH:mm:ss"   # or "iso8601", "epoch", "epoch_ms"
        # time_zone = "Europe/Helsinki"   # default: source_time_zone

        """
    }

    /// The `[retention]` part of the file: the audit log's period, the classes, the rules.
    func renderedRetention() -> String {
        var text = """
            [retention]
            # Processing (audit) events are kept this long; the law's floor is two years (P2Y).
            audit_log_period = "\(retention.auditLogPeriod)"

            # A class: period (ISO 8601: P12M, P3Y, P90D), counted from = "item" (the item's time) or
            # "relationship_end" (the customer relationship's end; items of live customers are kept,
            # items linked to no customer count from their own time); legal_basis = contract,
            # legal-obligation, legitimate-interest or consent; erasable_early = whether an erasure
            # request may delete the item before its period ends.

            """
        for retentionClass in retention.classes.values.sorted(by: { $0.name < $1.name }) {
            text += """
                [retention.classes.\(retentionClass.name)]
                period = "\(retentionClass.period)"
                from = "\(retentionClass.from.rawValue)"
                legal_basis = "\(retentionClass.legalBasis.rawValue)"
                erasable_early = \(retentionClass.erasableEarly)
                description = "\(retentionClass.description)"


                """
        }
        text += """
            # Rules, in order; the first that matches an item gives its class. Conditions (each a
            # string or a list; all given must match): kind (call, sms, recording), direction
            # (inbound, outbound, internal), context (dialplan context or recording queue), source
            # (format such as asterisk-csv, or a [sources.NAME] name), tags (a sidecar's tags).
            # An item no rule matches is refused at ingest.

            """
        for rule in retention.rules {
            text += "[[retention.rules]]\nclass = \"\(rule.className)\"\n"
            func list(_ key: String, _ values: [String]) {
                if !values.isEmpty { text += "\(key) = [\(values.map { "\"\($0)\"" }.joined(separator: ", "))]\n" }
            }
            list("kind", rule.kinds.map(\.rawValue))
            list("direction", rule.directions.map(\.rawValue))
            list("context", rule.contexts)
            list("source", rule.sources)
            list("tags", rule.tags)
            text += "\n"
        }
        return text
    }

    /// Reads a configuration file's text.
    public static func parse(_ text: String, file: String = "callvault.toml") throws(ArchiveFailure) -> ArchiveConfiguration {
        var config = ArchiveConfiguration()
        var section = ""
        var sourceValues: [(name: String, line: Int, values: [String: Value])] = []
        var classValues: [(name: String, line: Int, values: [String: Value])] = []
        var ruleValues: [(line: Int, values: [String: Value])] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = stripComment(String(rawLine)).trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            func fail(_ reason: String) -> ArchiveFailure {
                ArchiveFailure(.badInput, "\(file) line \(lineNumber): \(reason)")
            }
            if line.hasPrefix("[[") {
                guard line.hasSuffix("]]") else { throw fail("an array-of-tables header must end with ]]") }
                section = String(line.dropFirst(2).dropLast(2)).trimmingCharacters(in: .whitespaces)
                guard section == "retention.rules" else { throw fail("unknown array of tables [[\(section)]]; only [[retention.rules]] is known") }
                ruleValues.append((lineNumber, [:]))
                continue
            }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else { throw fail("a table header must end with ]") }
                section = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                if section.hasPrefix("sources.") {
                    let name = String(section.dropFirst("sources.".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
                    guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                        throw fail("a source name may hold letters, digits, - and _ only")
                    }
                    sourceValues.append((name, lineNumber, [:]))
                } else if section.hasPrefix("retention.classes.") {
                    let name = String(section.dropFirst("retention.classes.".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
                    guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                        throw fail("a retention class name may hold letters, digits, - and _ only")
                    }
                    classValues.append((name, lineNumber, [:]))
                } else if !["", "retention", "server", "spool"].contains(section) {
                    throw fail("unknown table [\(section)]")
                }
                continue
            }
            guard let eq = line.firstIndex(of: "=") else { throw fail("expected key = value") }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            let value = try parseValue(line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces), fail)
            switch section {
            case "": try config.setTopLevel(key, value, fail)
            case "retention": try config.setRetention(key, value, fail)
            case "retention.rules":
                guard ruleValues[ruleValues.count - 1].values.updateValue(value, forKey: key) == nil else { throw fail("\(key) is given twice") }
            case _ where section.hasPrefix("retention.classes."):
                guard classValues[classValues.count - 1].values.updateValue(value, forKey: key) == nil else { throw fail("\(key) is given twice") }
            case "server": try config.server.set(key, value, fail)
            case "spool": try config.spool.set(key, value, fail)
            case _ where section.hasPrefix("sources."): sourceValues[sourceValues.count - 1].values[key] = value
            default: throw fail("unknown key '\(section).\(key)'")
            }
        }
        for source in sourceValues {
            config.sources.append(try mapping(source.name, source.values, defaultZone: config.sourceTimeZone,
                                              at: "\(file) line \(source.line)"))
        }
        if !classValues.isEmpty || !ruleValues.isEmpty {
            var classes = classValues.isEmpty ? Array(RetentionPolicy.defaults.classes.values) : []
            for entry in classValues {
                classes.append(try retentionClass(entry.name, entry.values, at: "\(file) line \(entry.line)"))
            }
            var rules = ruleValues.isEmpty ? RetentionPolicy.defaults.rules : []
            for entry in ruleValues {
                rules.append(try retentionRule(entry.values, at: "\(file) line \(entry.line)"))
            }
            config.retention = RetentionPolicy(classes: classes, rules: rules, auditLogPeriod: config.retention.auditLogPeriod)
        }
        do { try config.retention.validate() } catch { throw ArchiveFailure(.badInput, "\(file): \(error.message)") }
        return config
    }

    /// Sets one key of the file's top level.
    mutating func setTopLevel(_ key: String, _ value: Value, _ fail: (String) -> ArchiveFailure) throws(ArchiveFailure) {
        switch (key, value) {
        case ("country", .string(let s)): country = s
        case ("country_code", .string(let s)):
            guard !s.isEmpty, s.allSatisfy(\.isASCIIDigit) else { throw fail("country_code must be digits, e.g. \"358\"") }
            countryCode = s
        case ("source_time_zone", .string(let s)): sourceTimeZone = s
        case ("extension_max_digits", .integer(let n)):
            guard (2...8).contains(n) else { throw fail("extension_max_digits must be 2–8") }
            extensionMaxDigits = n
        case ("purposes", .array(let list)):
            guard !list.isEmpty else { throw fail("purposes must name at least one purpose") }
            purposes = list
        default: throw fail("unknown key '\(key)' or wrong type of value")
        }
    }

    /// Sets one key of `[retention]` (its classes and rules are tables of their own).
    mutating func setRetention(_ key: String, _ value: Value, _ fail: (String) -> ArchiveFailure) throws(ArchiveFailure) {
        switch (key, value) {
        case ("audit_log_period", .string(let text)):
            guard let period = RetentionPeriod(iso8601: text) else { throw fail("audit_log_period must be an ISO 8601 period such as P2Y") }
            retention.auditLogPeriod = period
        case (let name, .integer) where ["call_days", "sms_days", "recording_days"].contains(name):
            break // the placeholder of archives made before retention classes; the classes rule
        default: throw fail("unknown key 'retention.\(key)' or wrong type of value")
        }
    }

    /// Builds and checks one `[retention.classes.NAME]` table.
    static func retentionClass(_ name: String, _ values: [String: Value], at place: String) throws(ArchiveFailure) -> RetentionClass {
        func fail(_ reason: String) -> ArchiveFailure { ArchiveFailure(.badInput, "\(place): [retention.classes.\(name)] \(reason)") }
        let known: Set = ["period", "from", "legal_basis", "erasable_early", "description"]
        if let unknown = values.keys.sorted().first(where: { !known.contains($0) }) { throw fail("has an unknown key '\(unknown)'") }
        guard case .string(let periodText)? = values["period"], let period = RetentionPeriod(iso8601: periodText) else {
            throw fail("needs period = an ISO 8601 period such as \"P12M\" or \"P3Y\"")
        }
        var from = RetentionStart.item
        if let value = values["from"] {
            guard case .string(let text) = value, let start = RetentionStart(rawValue: text) else { throw fail("from must be \"item\" or \"relationship_end\"") }
            from = start
        }
        guard case .string(let basisText)? = values["legal_basis"], let basis = LegalBasis(rawValue: basisText) else {
            throw fail("needs legal_basis = one of \(LegalBasis.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard case .bool(let erasable)? = values["erasable_early"] else { throw fail("needs erasable_early = true or false") }
        var description = ""
        if case .string(let text)? = values["description"] { description = text }
        return RetentionClass(name: name, period: period, from: from, legalBasis: basis, erasableEarly: erasable, description: description)
    }

    /// Builds and checks one `[[retention.rules]]` table.
    static func retentionRule(_ values: [String: Value], at place: String) throws(ArchiveFailure) -> RetentionRule {
        func fail(_ reason: String) -> ArchiveFailure { ArchiveFailure(.badInput, "\(place): [[retention.rules]] \(reason)") }
        let known: Set = ["class", "kind", "direction", "context", "queue", "source", "tags"]
        if let unknown = values.keys.sorted().first(where: { !known.contains($0) }) { throw fail("has an unknown key '\(unknown)'") }
        guard case .string(let className)? = values["class"], !className.isEmpty else { throw fail("needs class = the name of a retention class") }
        func list(_ key: String) throws(ArchiveFailure) -> [String] {
            switch values[key] {
            case nil: return []
            case .string(let s)?: return [s]
            case .array(let a)?: return a
            default: throw fail("\(key) must be a string or a list of strings")
            }
        }
        var kinds: [ItemKind] = []
        for text in try list("kind") {
            guard let kind = ItemKind(rawValue: text) else { throw fail("kind '\(text)' is not call, sms or recording") }
            kinds.append(kind)
        }
        var directions: [Direction] = []
        for text in try list("direction") {
            guard let direction = Direction(rawValue: text) else { throw fail("direction '\(text)' is not inbound, outbound or internal") }
            directions.append(direction)
        }
        return RetentionRule(className: className, kinds: kinds, directions: directions,
                             contexts: try list("context") + list("queue"), sources: try list("source"), tags: try list("tags"))
    }

    /// Builds and checks one `[sources.NAME]` table.
    static func mapping(_ name: String, _ values: [String: Value], defaultZone: String, at place: String) throws(ArchiveFailure) -> SourceMapping {
        func fail(_ reason: String) -> ArchiveFailure { ArchiveFailure(.badInput, "\(place): [sources.\(name)] \(reason)") }
        func string(_ key: String) throws(ArchiveFailure) -> String? {
            switch values[key] {
            case nil: return nil
            case .string(let s)?: return s
            case .integer(let n)?: return String(n)
            default: throw fail("'\(key)' must be a string")
            }
        }
        let known = Set(SourceMapping.Field.allCases.map(\.rawValue)).union(["format", "delimiter", "header", "time_format", "time_zone"])
        if let unknown = values.keys.sorted().first(where: { !known.contains($0) }) { throw fail("has an unknown key '\(unknown)'") }
        guard let shape = SourceMapping.Shape(rawValue: try string("format") ?? "csv") else { throw fail("format must be csv or jsonl") }
        let delimiterText = try string("delimiter") ?? ","
        let delimiterBytes = Array((delimiterText == "\\t" ? "\t" : delimiterText).utf8)
        guard delimiterBytes.count == 1 else { throw fail("delimiter must be one character") }
        var hasHeader = true
        if case .bool(let b)? = values["header"] { hasHeader = b } else if values["header"] != nil { throw fail("header must be true or false") }
        var columns: [SourceMapping.Field: String] = [:]
        for field in SourceMapping.Field.allCases {
            if let column = try string(field.rawValue), !column.isEmpty { columns[field] = column }
        }
        let timeFormat: SourceMapping.TimeFormat
        switch try string("time_format") ?? "iso8601" {
        case "iso8601": timeFormat = .iso8601
        case "epoch": timeFormat = .epoch(milliseconds: false)
        case "epoch_ms": timeFormat = .epoch(milliseconds: true)
        case let pattern where pattern.contains("yyyy") && pattern.contains("MM") && pattern.contains("dd"): timeFormat = .pattern(pattern)
        default: throw fail("time_format must be iso8601, epoch, epoch_ms or a pattern with yyyy, MM, dd (HH, mm, ss)")
        }
        let zoneName = try string("time_zone") ?? defaultZone
        guard let zone = TimeZone(identifier: zoneName) else { throw fail("time_zone '\(zoneName)' is not a known time zone") }
        let mapping = SourceMapping(name: name, shape: shape, delimiter: delimiterBytes[0], hasHeader: hasHeader,
                                    columns: columns, timeFormat: timeFormat, timeZone: zone)
        do { try mapping.validate() } catch { throw fail(String(error.reason.drop { $0 != " " }.dropFirst())) }
        return mapping
    }

    enum Value: Equatable {
        case string(String), integer(Int), bool(Bool), array([String])
    }

    static func parseValue(_ text: String, _ fail: (String) -> ArchiveFailure) throws(ArchiveFailure) -> Value {
        if text.hasPrefix("\"") {
            guard text.count >= 2, text.hasSuffix("\"") else { throw fail("unterminated string") }
            return .string(String(text.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\""))
        }
        if text == "true" || text == "false" { return .bool(text == "true") }
        if let n = Int(text.replacingOccurrences(of: "_", with: "")) { return .integer(n) }
        if text.hasPrefix("[") {
            guard text.hasSuffix("]") else { throw fail("an array must close on the same line") }
            let inner = text.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
            if inner.isEmpty { return .array([]) }
            var items: [String] = []
            for piece in inner.split(separator: ",") {
                let item = piece.trimmingCharacters(in: .whitespaces)
                if item.isEmpty { continue }
                guard case .string(let s) = try parseValue(item, fail) else { throw fail("arrays hold strings only") }
                items.append(s)
            }
            return .array(items)
        }
        throw fail("cannot read the value '\(text.prefix(40))'")
    }

    static func stripComment(_ line: String) -> String {
        var inString = false
        for (i, ch) in zip(line.indices, line) {
            if ch == "\"" { inString.toggle() }
            if ch == "#" && !inString { return String(line[..<i]) }
        }
        return line
    }
}

/// How `callvault serve` runs: `[server]` in callvault.toml.
/// How long the spool keeps its copies (`[spool]`); `expire` removes them after.
public struct SpoolSettings: Sendable, Equatable {
    /// Raw copies in `spool/processed/`, counted from the end of the day they were ingested.
    public var keepProcessed = RetentionPeriod(days: 7)
    /// Rejected files in `spool/rejected/`, counted from when they were rejected.
    public var keepRejected = RetentionPeriod(days: 30)

    public init() {}
}

public struct ServerSettings: Sendable, Equatable {
    /// The address to listen on; 127.0.0.1 unless a reverse proxy or the network needs another.
    public var host = "127.0.0.1"
    /// The TCP port (0: any free port).
    public var port = 8080
    /// Seconds between scheduled expiry runs; 0 turns scheduled expiry off.
    public var expiryInterval: TimeInterval = 3600
    /// Seconds between looks at the spool.
    public var spoolInterval: TimeInterval = 0.5
    /// The largest file `POST /api/v1/ingest` accepts.
    public var maxIngestBytes: Int64 = 2 << 30
    /// The largest JSON request body.
    public var maxJSONBytes = 64 << 10
    /// When the web UI's session cookie carries `Secure`.
    public var secureCookies = CookieSecurity.auto
    /// How long a web UI session may go unused before it ends.
    public var sessionIdleTimeout: TimeInterval = 30 * 60
    /// How long a connection may go without a complete request head: a client that sends half a
    /// header, or nothing between keep-alive requests, or stalls an upload, is disconnected.
    public var idleTimeout: TimeInterval = 30
    /// Clients that may read `/metrics` without a token (by their socket address; none by default).
    public var metricsAddresses: [AddressRange] = []
    /// A file holding the bearer token that reads `/metrics` (besides an admin's token).
    public var metricsTokenFile: String?

    /// When the session cookie is marked `Secure` (sent over HTTPS only).
    public enum CookieSecurity: String, Sendable, Equatable, CaseIterable {
        /// When the request came over TLS, as a reverse proxy in front says with `X-Forwarded-Proto: https`.
        case auto
        /// Always (the UI is only ever reached over HTTPS).
        case always
        /// Never (plain HTTP on a trusted network or 127.0.0.1 only).
        case never
    }

    public init() {}

    /// Seconds in an ISO 8601 duration of days, hours, minutes and seconds (`P1D`, `PT1H30M`,
    /// `PT0.5S`), or nil when `text` is not one.
    public static func seconds(iso8601 text: String) -> TimeInterval? {
        var rest = Substring(text.uppercased())
        guard rest.hasPrefix("P"), rest.count > 1 else { return nil }
        rest = rest.dropFirst()
        var total: TimeInterval = 0
        var inTime = false
        var number = ""
        var sawUnit = false
        for ch in rest {
            switch ch {
            case "T":
                guard !inTime, number.isEmpty else { return nil }
                inTime = true
            case "0"..."9", ".":
                number.append(ch)
            case "D", "H", "M", "S":
                guard let value = Double(number), value >= 0 else { return nil }
                switch (ch, inTime) {
                case ("D", false): total += value * 86_400
                case ("H", true): total += value * 3_600
                case ("M", true): total += value * 60
                case ("S", true): total += value
                default: return nil
                }
                number = ""
                sawUnit = true
            default:
                return nil
            }
        }
        return sawUnit && number.isEmpty ? total : nil
    }
}

extension ServerSettings {
    /// Sets one key of `[server]`.
    mutating func set(_ key: String, _ value: ArchiveConfiguration.Value, _ fail: (String) -> ArchiveFailure) throws(ArchiveFailure) {
        switch (key, value) {
        case ("host", .string(let text)):
            guard !text.isEmpty, !text.contains(where: { $0 == " " || $0 == "/" }) else { throw fail("host must be an address or name such as 127.0.0.1") }
            host = text
        case ("port", .integer(let n)):
            guard (0...65535).contains(n) else { throw fail("port must be 0–65535") }
            port = n
        case ("expiry_interval", .string(let text)):
            guard let seconds = Self.seconds(iso8601: text) else { throw fail("expiry_interval must be an ISO 8601 duration such as \"PT1H\" or \"P1D\"") }
            expiryInterval = seconds
        case ("spool_interval", .string(let text)):
            guard let seconds = Self.seconds(iso8601: text), seconds >= 0.05 else { throw fail("spool_interval must be an ISO 8601 duration of at least PT0.05S, such as \"PT0.5S\"") }
            spoolInterval = seconds
        case ("max_ingest_bytes", .integer(let n)):
            guard n > 0 else { throw fail("max_ingest_bytes must be positive") }
            maxIngestBytes = Int64(n)
        case ("max_json_bytes", .integer(let n)):
            guard (1024...(16 << 20)).contains(n) else { throw fail("max_json_bytes must be 1024–16777216") }
            maxJSONBytes = n
        case ("secure_cookies", .string(let text)):
            guard let value = CookieSecurity(rawValue: text) else { throw fail("secure_cookies must be \"auto\", \"always\" or \"never\"") }
            secureCookies = value
        case ("idle_timeout", .string(let text)):
            guard let seconds = Self.seconds(iso8601: text), seconds >= 1, seconds <= 3600 else { throw fail("idle_timeout must be an ISO 8601 duration from PT1S to PT1H, such as \"PT30S\"") }
            idleTimeout = seconds
        case ("metrics_addresses", .array(let list)):
            var ranges: [AddressRange] = []
            for text in list {
                guard let range = AddressRange(text) else { throw fail("metrics_addresses: '\(text.prefix(64))' is not an IP address or a CIDR block such as \"10.0.0.0/24\"") }
                ranges.append(range)
            }
            metricsAddresses = ranges
        case ("metrics_token_file", .string(let path)):
            guard path.hasPrefix("/") else { throw fail("metrics_token_file must be an absolute path, such as \"/etc/callvault/metrics.token\"") }
            metricsTokenFile = path
        case ("session_idle_timeout", .string(let text)):
            guard let seconds = Self.seconds(iso8601: text), seconds >= 60 else { throw fail("session_idle_timeout must be an ISO 8601 duration of at least PT1M, such as \"PT30M\"") }
            sessionIdleTimeout = seconds
        default: throw fail("unknown key 'server.\(key)' or wrong type of value")
        }
    }
}

extension SpoolSettings {
    /// Sets one key of `[spool]`.
    mutating func set(_ key: String, _ value: ArchiveConfiguration.Value, _ fail: (String) -> ArchiveFailure) throws(ArchiveFailure) {
        guard key == "keep_processed" || key == "keep_rejected", case .string(let text) = value else {
            throw fail("unknown key 'spool.\(key)' or wrong type of value")
        }
        guard let period = RetentionPeriod(iso8601: text) else {
            throw fail("\(key) must be an ISO 8601 period such as \"P7D\" or \"P30D\" (\"P0D\": at the next expiry run)")
        }
        if key == "keep_processed" { keepProcessed = period } else { keepRejected = period }
    }
}
