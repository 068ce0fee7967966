import Foundation
import Testing
import GRDB
import CallvaultArchive
import CallvaultModel
import CallvaultPolicy
import CallvaultTesting

/// Random sequences of ingest, hold place/release, rule changes, expiry at random clock
/// times, erasure and restriction, checked after every step against a model kept by the test:
/// no held item is gone (Invariant 4), every expired unheld, unrestricted item is gone
/// (Invariant 5), no blob is orphaned or missing, and `audit verify` passes (Invariant 7).
///
/// `CALLVAULT_PROPERTY_SEQUENCES` sets how many sequences run (default 2,000) and
/// `CALLVAULT_PROPERTY_SEED` replays one sequence; a failure names its seed.
@Suite struct PolicyPropertyTests {
    static let numbers = ["0401000001", "0401000002", "0401000003", "0401000004", "0509999999"]
    static let customers = ["C1", "C2", "C3", "C4"]
    static let day: TimeInterval = 86_400
    static let epoch2020 = Date(timeIntervalSince1970: 1_577_836_800)

    /// One stored item as the checks see it, read straight from SQLite.
    struct Row: Hashable {
        var id: Int64
        var kind: String
        var start: Int64
        var retainUntil: Int64
        var from: String?
        var to: String?
        var customers: Set<String>
        var callItem: Int64?
        var retentionClass: String?
    }

    /// A hold as the test placed it.
    struct ModelHold {
        var id: String
        var customers: [String] = []
        var numbers: [String] = []
        var items: [Int64] = []
        var from: Date?
        var to: Date?
        var active = true

        func covers(_ row: Row) -> Bool {
            guard active else { return false }
            if let from, row.start < Int64(from.timeIntervalSince1970) { return false }
            if let to, row.start >= Int64(to.timeIntervalSince1970) { return false }
            if customers.isEmpty && numbers.isEmpty && items.isEmpty { return true }
            return items.contains(row.id) || row.callItem.map(items.contains) == true
                || numbers.contains { $0 == row.from || $0 == row.to }
                || customers.contains { row.customers.contains($0) }
        }
    }

    /// What the sequences exercised, so the test cannot pass by doing nothing.
    struct Coverage {
        var expired = 0
        var keptByHold = 0
        var keptByRestriction = 0
        var erased = 0
    }

    @Test func randomSequencesKeepEveryPromise() throws {
        let env = ProcessInfo.processInfo.environment
        var coverage = Coverage()
        if let seed = env["CALLVAULT_PROPERTY_SEED"].flatMap(UInt64.init) {
            try run(seed: seed, coverage: &coverage)
            return
        }
        let count = env["CALLVAULT_PROPERTY_SEQUENCES"].flatMap(Int.init) ?? 2_000
        for seed in 1...UInt64(count) {
            try run(seed: seed, coverage: &coverage)
        }
        if count >= 100 {
            #expect(coverage.expired > 0 && coverage.keptByHold > 0 && coverage.keptByRestriction > 0 && coverage.erased > 0,
                    "the sequences must expire, hold, restrict and erase: \(coverage)")
        }
    }

    func snapshot(_ root: URL) throws -> [Int64: Row] {
        let queue = try DatabaseQueue(path: root.appendingPathComponent("index.sqlite").path, configuration: {
            var c = Configuration()
            c.readonly = true
            return c
        }())
        return try queue.read { db in
            var rows: [Int64: Row] = [:]
            for r in try GRDB.Row.fetchAll(db, sql: """
                SELECT i.id, i.kind, i.start_utc, i.retain_until, i.from_e164, i.to_e164, i.retention_class, r.call_item_id,
                       (SELECT group_concat(customer_id) FROM item_customers ic WHERE ic.item_id = i.id) AS customers
                FROM items i LEFT JOIN recordings r ON r.item_id = i.id
                """) {
                let customers = (r["customers"] as String?).map { Set($0.split(separator: ",").map(String.init)) } ?? []
                rows[r["id"]] = Row(id: r["id"], kind: r["kind"], start: r["start_utc"], retainUntil: r["retain_until"],
                                    from: r["from_e164"], to: r["to_e164"], customers: customers, callItem: r["call_item_id"],
                                    retentionClass: r["retention_class"])
            }
            return rows
        }
    }

    func run(seed: UInt64, coverage: inout Coverage) throws {
        var random = SplitMix64(seed: seed)
        let folder = TemporaryFolder("callvault-property")
        let root = folder.path("archive")
        _ = try Archive.initialize(at: root)
        var archive = try Archive(root: root)
        let actor = Actor.test("dpo", .compliance)
        let admin = Actor.test("ops", .admin)
        var log: [String] = []
        func fail(_ what: String) { Issue.record("seed \(seed): \(what)\nsteps: \(log.joined(separator: "; "))") }

        // Customers: some relationships ended, so traffic data gets dates too.
        var csv = "customer_id,name,phones,relationship_ended\n"
        for (i, id) in Self.customers.enumerated() {
            let ended = Bool.random(using: &random) ? "2022-0\(1 + i)-15" : ""
            csv += "\(id),Asiakas \(id),\(Self.numbers[i]),\(ended)\n"
        }
        _ = try archive.importCustomers(from: folder.write("customers.csv", csv), actor: actor)

        var holds: [ModelHold] = []
        var restricted: Set<String> = []
        var now = Self.epoch2020.addingTimeInterval(Double(Int.random(in: 0...900, using: &random)) * Self.day)
        var nextCall = 1
        var recordingPeriod = RetentionPeriod(months: 12)
        var trafficPeriod = RetentionPeriod(years: 3)

        for step in 0..<10 {
            let before = try snapshot(root)
            let roll = Int.random(in: 0..<100, using: &random)
            switch roll {
            case 0..<30: // ingest a few calls, perhaps with a recording (whose bytes another may share)
                var lines: [String] = []
                var wavs: [URL] = []
                for _ in 0..<Int.random(in: 1...3, using: &random) {
                    let start = Self.epoch2020.addingTimeInterval(Double(Int.random(in: 0...2_300, using: &random)) * Self.day
                                                                  + Double(Int.random(in: 8...16, using: &random)) * 3_600)
                    let local = Self.local(start)
                    let caller = Self.numbers.randomElement(using: &random)!
                    let unique = "\(1_600_000_000 + nextCall).\(nextCall)"
                    nextCall += 1
                    lines.append(Samples.cdrLine(src: caller, dst: "1001", start: local.text, answer: local.text, end: local.text,
                                                 duration: 60, billsec: 60, uniqueID: unique))
                    if Bool.random(using: &random) {
                        let name = "in-\(caller)-1001-\(local.compact)-\(unique).wav"
                        wavs.append(folder.write("in\(step)/\(name)", Samples.wav(seconds: 0.2, seed: UInt64.random(in: 1...3, using: &random))))
                    }
                }
                let file = folder.write("in\(step)/Master.csv", lines.joined(separator: "\n") + "\n")
                let summary = try archive.ingest([file] + wavs, actor: admin)
                if !summary.rejected.isEmpty { fail("ingest rejected \(summary.rejected)") }
                log.append("ingest \(lines.count) calls, \(wavs.count) recordings")
            case 30..<45: // place a hold with a random scope
                var hold = ModelHold(id: "")
                var request = HoldRequest(caseName: "case \(step)", reason: "property test")
                switch Int.random(in: 0..<4, using: &random) {
                case 0: hold.customers = [Self.customers.randomElement(using: &random)!]
                case 1: hold.numbers = ["+358" + Self.numbers.randomElement(using: &random)!.dropFirst()]
                case 2:
                    guard let item = before.keys.randomElement(using: &random) else { continue }
                    hold.items = [item]
                default: break
                }
                if hold.items.isEmpty && (Bool.random(using: &random) || (hold.customers.isEmpty && hold.numbers.isEmpty)) {
                    hold.from = Self.epoch2020.addingTimeInterval(Double(Int.random(in: 0...2_000, using: &random)) * Self.day)
                    hold.to = hold.from!.addingTimeInterval(Double(Int.random(in: 30...600, using: &random)) * Self.day)
                }
                request.customers = hold.customers
                request.numbers = hold.numbers
                request.items = hold.items.map { id in ItemID(kind: ItemKind(rawValue: before[id]!.kind)!, number: id).description }
                request.from = hold.from
                request.to = hold.to
                do {
                    hold.id = try archive.placeHold(request, actor: actor).id
                } catch let error as CallvaultError where hold.customers.count == 1 && error.message.contains("no customer") {
                    log.append("hold on erased \(hold.customers[0]) refused")
                    continue
                }
                holds.append(hold)
                log.append("hold \(hold.id) \(request)")
            case 45..<55: // release a hold
                guard let index = holds.indices.filter({ holds[$0].active }).randomElement(using: &random) else { continue }
                _ = try archive.releaseHold(holds[index].id, reason: "case closed", actor: actor)
                holds[index].active = false
                log.append("release \(holds[index].id)")
            case 55..<63: // change the rules and apply them
                recordingPeriod = [RetentionPeriod(months: 1), RetentionPeriod(months: 12), RetentionPeriod(years: 2)].randomElement(using: &random)!
                trafficPeriod = [RetentionPeriod(years: 1), RetentionPeriod(years: 3)].randomElement(using: &random)!
                var configuration = archive.configuration
                configuration.retention.classes["recording"]!.period = recordingPeriod
                configuration.retention.classes["traffic-data"]!.period = trafficPeriod
                try configuration.rendered().write(to: root.appendingPathComponent("callvault.toml"), atomically: true, encoding: .utf8)
                archive = try Archive(root: root)
                _ = try archive.applyRetention(actor: actor)
                log.append("rules recording \(recordingPeriod) traffic \(trafficPeriod)")
            case 63..<83: // expire at a later time
                now = now.addingTimeInterval(Double(Int.random(in: 0...900, using: &random)) * Self.day)
                let expiry = try archive.expire(now: now, actor: actor)
                coverage.expired += expiry.deleted.total
                log.append("expire at \(now)")
                let after = try snapshot(root)
                let nowSeconds = Int64(now.timeIntervalSince1970)
                for row in before.values where row.retainUntil <= nowSeconds && after[row.id] != nil {
                    let current = after[row.id]!
                    guard current.retainUntil <= nowSeconds else { continue } // dated again meanwhile (a recording linked to its call)
                    let held = holds.contains { $0.covers(current) }
                    let isRestricted = !current.customers.isDisjoint(with: restricted)
                    if held { coverage.keptByHold += 1 } else if isRestricted { coverage.keptByRestriction += 1 }
                    if !held && !isRestricted { fail("item \(row.id) is past its date, unheld and unrestricted, yet still stored after expiry") }
                }
            case 83..<91: // erase a customer
                let customer = Self.customers.randomElement(using: &random)!
                do {
                    _ = try archive.erase(customer: customer, reason: "request", now: now, actor: actor)
                    restricted.remove(customer)
                    log.append("erase \(customer)")
                    let after = try snapshot(root)
                    coverage.erased += before.count - after.count
                    for row in before.values where row.customers == [customer] && row.retentionClass == "recording" {
                        if after[row.id] != nil && !holds.contains(where: { $0.covers(row) }) {
                            fail("recording \(row.id) of only \(customer), erasable and unheld, survived the erasure")
                        }
                    }
                } catch let error as CallvaultError where error.kind == .notFound || error.kind == .refused {
                    log.append("erase \(customer) refused: \(error.message)")
                }
            default: // restrict or lift a restriction
                let customer = Self.customers.randomElement(using: &random)!
                do {
                    if restricted.contains(customer) {
                        _ = try archive.unrestrict(customer: customer, reason: "decided", actor: actor)
                        restricted.remove(customer)
                        log.append("unrestrict \(customer)")
                    } else {
                        _ = try archive.restrict(customer: customer, reason: "accuracy contested", actor: actor)
                        restricted.insert(customer)
                        log.append("restrict \(customer)")
                    }
                } catch let error as CallvaultError where error.message.contains("no customer") {
                    log.append("restriction of \(customer) refused: \(error.message)")
                }
            }
            // Invariant 4: nothing covered by an active hold before the step is gone after it.
            let after = try snapshot(root)
            for row in before.values where holds.contains(where: { $0.covers(row) }) && after[row.id] == nil {
                fail("held item \(row.id) is gone after step \(step)")
            }
            for row in after.values where row.retentionClass == nil {
                fail("item \(row.id) has no retention class")
            }
            let report = try archive.verify(repair: false, actor: admin)
            if !report.isClean { fail("blobs: \(report.missing.count) missing, \(report.corrupt.count) corrupt, \(report.orphans) orphans after step \(step)") }
            if try !archive.verifyAudit(actor: actor).ok { fail("audit verify fails after step \(step)") }
        }
    }

    /// Asterisk's local time text (`2026-03-14 09:30:00`) and the FreePBX file-name form.
    static func local(_ date: Date) -> (text: String, compact: String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Helsinki")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let text = String(format: "%04d-%02d-%02d %02d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
        let compact = String(format: "%04d%02d%02d-%02d%02d%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
        return (text, compact)
    }
}
