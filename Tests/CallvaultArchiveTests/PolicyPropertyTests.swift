import Foundation
import Testing
import GRDB
import CallvaultArchive
import CallvaultModel
import CallvaultPolicy
import CallvaultTesting

/// Random sequences of ingest, hold place/release, rule changes, expiry at later clock times,
/// erasure (and its resumption when a hold is released), restriction, manual links and
/// unlinks, customers imports that reassign numbers (and leave out customers being erased),
/// and access and rectification requests, checked after every step against a model the test
/// keeps of its own facts:
/// - Invariant 4: every item an active hold has covered since it was placed — computed from
///   the scenario (the numbers the test wrote, the customers file it imported, the links it
///   corrected, the recordings it made for its calls), never from the archive's link tables —
///   is still stored and listed by `hold show`, whatever happened to its links or numbers;
/// - Invariant 5: every expired item no hold, restriction or access request keeps is gone;
/// - Invariant 6: an erasure, also one resumed by a release or an expiry run, leaves no
///   erasable unheld recording of its customer;
/// - no blob is orphaned or missing, and `audit verify` passes (Invariant 7).
///
/// `CALLVAULT_PROPERTY_SEQUENCES` sets how many sequences run (default 400, from seed 1 or
/// `CALLVAULT_PROPERTY_FIRST_SEED`, so a long run can be split across processes),
/// `CALLVAULT_PROPERTY_SEED` replays one sequence (a failure names its seed), and
/// `CALLVAULT_PROPERTY_REPORT` names a file for the totals (`scripts/bench-holds`).
@Suite struct PolicyPropertyTests {
    static let numbers = ["+358401000001", "+358401000002", "+358401000003", "+358401000004", "+358509999999", "+358501111111"]
    static let customers = ["C1", "C2", "C3", "C4"]
    static let day: TimeInterval = 86_400
    static let epoch2020 = Date(timeIntervalSince1970: 1_577_836_800)
    static let actor = Actor.test("dpo", .compliance)

    /// One stored item as the checks see it, read straight from SQLite.
    struct Row: Hashable {
        var id: Int64
        var kind: String
        var retainUntil: Int64
        var customers: Set<String>
        var retentionClass: String?
    }

    /// What the test itself knows of an item: what it wrote into the CDR or the file name.
    struct Fact {
        var start: Int64
        var numbers: Set<String>
        /// For a recording: the unique id of the call it was made for.
        var callUniqueID: String?
    }

    /// A hold as the test placed it, and every item it has matched since (by the scenario's facts).
    struct ModelHold {
        var id: String
        var customers: [String] = []
        var numbers: [String] = []
        var items: [Int64] = []
        var from: Date?
        var to: Date?
        var active = true
        var covered: Set<Int64> = []
    }

    /// The scenario as the test wrote it.
    struct Scenario {
        /// Item facts by the archive's item id (identity read back from the items' unique ids).
        var facts: [Int64: Fact] = [:]
        /// Call item ids by the unique id the test gave them.
        var callIDs: [String: Int64] = [:]
        /// Each customer's number as the last imported customers file gave it.
        var numberOf: [String: String] = [:]
        var ended: [String: String] = [:]
        /// Customers whose erasure completed: their record and numbers are gone.
        var erased: Set<String> = []
        /// Links corrected by hand: item → customer → linked.
        var overrides: [Int64: [String: Bool]] = [:]

        /// The customers item `id` links to by the scenario's facts.
        func customers(of id: Int64) -> Set<String> {
            guard let fact = facts[id] else { return [] }
            var linked = Set(numberOf.filter { !erased.contains($0.key) && fact.numbers.contains($0.value) }.map(\.key))
            for (customer, on) in overrides[id] ?? [:] where !erased.contains(customer) {
                if on { linked.insert(customer) } else { linked.remove(customer) }
            }
            return linked
        }

        func matches(_ hold: ModelHold, _ id: Int64) -> Bool {
            guard hold.active, let fact = facts[id] else { return false }
            if let from = hold.from, fact.start < Int64(from.timeIntervalSince1970) { return false }
            if let to = hold.to, fact.start >= Int64(to.timeIntervalSince1970) { return false }
            if hold.customers.isEmpty && hold.numbers.isEmpty && hold.items.isEmpty { return true }
            let call = fact.callUniqueID.flatMap { callIDs[$0] }
            return hold.items.contains(id) || call.map(hold.items.contains) == true
                || hold.numbers.contains { fact.numbers.contains($0) }
                || !customers(of: id).isDisjoint(with: hold.customers)
        }

        func customersFile() -> String {
            var csv = "customer_id,name,phones,relationship_ended\n"
            for customer in PolicyPropertyTests.customers where !erased.contains(customer) {
                csv += "\(customer),Asiakas \(customer),\(numberOf[customer] ?? ""),\(ended[customer] ?? "")\n"
            }
            return csv
        }
    }

    /// What the sequences exercised, so the test cannot pass by doing nothing.
    struct Coverage {
        var sequences = 0
        var expired = 0
        var keptByHold = 0
        var keptByRestriction = 0
        var erased = 0
        var erasuresWaiting = 0
        var resumedErasures = 0
        var heldAfterUnlink = 0
        var heldAfterReassignment = 0
        var linesOfCustomersBeingErased = 0
        var heldChecks = 0
        var heldDeleted = 0
    }

    @Test func randomSequencesKeepEveryPromise() throws {
        let env = ProcessInfo.processInfo.environment
        var coverage = Coverage()
        if let seed = env["CALLVAULT_PROPERTY_SEED"].flatMap(UInt64.init) {
            try run(seed: seed, coverage: &coverage)
            return
        }
        let count = env["CALLVAULT_PROPERTY_SEQUENCES"].flatMap(Int.init) ?? 400
        let first = env["CALLVAULT_PROPERTY_FIRST_SEED"].flatMap(UInt64.init) ?? 1
        for seed in first..<(first + UInt64(count)) {
            try run(seed: seed, coverage: &coverage)
        }
        if let report = env["CALLVAULT_PROPERTY_REPORT"] {
            try """
                {"sequences": \(coverage.sequences), "held_item_checks": \(coverage.heldChecks), "held_items_deleted": \(coverage.heldDeleted), \
                "expired": \(coverage.expired), "kept_by_hold": \(coverage.keptByHold), "kept_by_restriction": \(coverage.keptByRestriction), \
                "erased": \(coverage.erased), "erasures_waiting": \(coverage.erasuresWaiting), "erasures_resumed": \(coverage.resumedErasures), \
                "held_after_unlink": \(coverage.heldAfterUnlink), "held_after_reassignment": \(coverage.heldAfterReassignment), \
                "lines_of_customers_being_erased": \(coverage.linesOfCustomersBeingErased)}
                """.write(toFile: report, atomically: true, encoding: .utf8)
        }
        if count >= 100 {
            #expect(coverage.expired > 0 && coverage.keptByHold > 0 && coverage.keptByRestriction > 0 && coverage.erased > 0
                    && coverage.resumedErasures > 0 && coverage.heldAfterUnlink > 0 && coverage.heldAfterReassignment > 0
                    && coverage.linesOfCustomersBeingErased > 0,
                    "the sequences must expire, hold, restrict, erase, resume erasures, move items out of hold scopes and import lines of customers being erased: \(coverage)")
        }
    }

    func snapshot(_ root: URL) throws -> [Int64: Row] {
        try readOnly(root) { db in
            var rows: [Int64: Row] = [:]
            for r in try GRDB.Row.fetchAll(db, sql: """
                SELECT i.id, i.kind, i.retain_until, i.retention_class,
                       (SELECT group_concat(customer_id) FROM item_customers ic WHERE ic.item_id = i.id) AS customers
                FROM items i
                """) {
                let customers = (r["customers"] as String?).map { Set($0.split(separator: ",").map(String.init)) } ?? []
                rows[r["id"]] = Row(id: r["id"], kind: r["kind"], retainUntil: r["retain_until"], customers: customers,
                                    retentionClass: r["retention_class"])
            }
            return rows
        }
    }

    /// Which item is which of the test's calls and recordings: the unique ids the test wrote.
    func identities(_ root: URL) throws -> (calls: [String: Int64], recordings: [String: Int64]) {
        try readOnly(root) { db in
            var calls: [String: Int64] = [:], recordings: [String: Int64] = [:]
            for r in try GRDB.Row.fetchAll(db, sql: "SELECT id, pbx_unique_id FROM items WHERE kind = 'call'") { calls[r[1]] = r[0] }
            for r in try GRDB.Row.fetchAll(db, sql: "SELECT item_id, call_unique_id FROM recordings") { recordings[r[1]] = r[0] }
            return (calls, recordings)
        }
    }

    func readOnly<T>(_ root: URL, _ body: (Database) throws -> T) throws -> T {
        var configuration = Configuration()
        configuration.readonly = true
        return try DatabaseQueue(path: root.appendingPathComponent("index.sqlite").path, configuration: configuration).read(body)
    }

    func run(seed: UInt64, coverage: inout Coverage) throws {
        var random = SplitMix64(seed: seed)
        let folder = TemporaryFolder("callvault-property")
        let root = folder.path("archive")
        let clock = TestClock(Self.epoch2020.addingTimeInterval(Double(Int.random(in: 0...900, using: &random)) * Self.day))
        _ = try Archive.initialize(at: root)
        var archive = try Archive(root: root, now: clock.source)
        let actor = Self.actor
        let admin = Actor.test("ops", .admin)
        var log: [String] = []
        func fail(_ what: String) { Issue.record("seed \(seed): \(what)\nsteps: \(log.joined(separator: "; "))") }

        // Customers: some relationships ended, so traffic data gets dates too.
        var scenario = Scenario()
        for (i, id) in Self.customers.enumerated() {
            scenario.numberOf[id] = Self.numbers[i]
            scenario.ended[id] = Bool.random(using: &random) ? "2022-0\(1 + i)-15" : ""
        }
        _ = try archive.importCustomers(from: folder.write("customers.csv", scenario.customersFile()), actor: actor)

        var holds: [ModelHold] = []
        var restricted: Set<String> = []
        var openRequests: [(id: String, customer: String, type: DataSubjectRequest.RequestType)] = []
        var freezeUntil: [String: Date] = [:]
        var pendingErasures: [String: String] = [:] // erasure id → customer
        var nextCall = 1
        var recordingPeriod = RetentionPeriod(months: 12)
        var trafficPeriod = RetentionPeriod(years: 3)
        coverage.sequences += 1

        // Twelve random steps, then every hold still active is released, one step each: the
        // erasures waiting for them resume.
        var step = 0
        while step < 12 || holds.contains(where: \.active) {
            defer { step += 1 }
            let closing = step >= 12
            let before = try snapshot(root)
            let roll = closing ? 34 : Int.random(in: 0..<100, using: &random)
            var released: String?
            switch roll {
            case 0..<22: // ingest a few calls, perhaps with a recording (whose bytes another may share)
                var lines: [String] = []
                var wavs: [URL] = []
                var made: [(unique: String, fact: Fact, recording: Bool)] = []
                for _ in 0..<Int.random(in: 1...3, using: &random) {
                    let start = Self.epoch2020.addingTimeInterval(Double(Int.random(in: 0...2_300, using: &random)) * Self.day
                                                                  + Double(Int.random(in: 8...16, using: &random)) * 3_600)
                    let local = Self.local(start)
                    let caller = Self.numbers.randomElement(using: &random)!
                    let national = "0" + caller.dropFirst(4)
                    let unique = "\(1_600_000_000 + nextCall).\(nextCall)"
                    nextCall += 1
                    lines.append(Samples.cdrLine(src: national, dst: "1001", start: local.text, answer: local.text, end: local.text,
                                                 duration: 60, billsec: 60, uniqueID: unique))
                    let recorded = Bool.random(using: &random)
                    if recorded {
                        let name = "in-\(national)-1001-\(local.compact)-\(unique).wav"
                        wavs.append(folder.write("in\(step)/\(name)", Samples.wav(seconds: 0.2, seed: UInt64.random(in: 1...3, using: &random))))
                    }
                    made.append((unique, Fact(start: Int64(start.timeIntervalSince1970), numbers: [caller]), recorded))
                }
                let file = folder.write("in\(step)/Master.csv", lines.joined(separator: "\n") + "\n")
                let summary = try archive.ingest([file] + wavs, actor: admin)
                if !summary.rejected.isEmpty { fail("ingest rejected \(summary.rejected)") }
                let (calls, recordings) = try identities(root)
                for (unique, fact, recorded) in made {
                    if let id = calls[unique] {
                        scenario.facts[id] = fact
                        scenario.callIDs[unique] = id
                    }
                    if recorded, let id = recordings[unique] {
                        scenario.facts[id] = Fact(start: fact.start, numbers: fact.numbers, callUniqueID: unique)
                    }
                }
                log.append("ingest \(lines.count) calls, \(wavs.count) recordings")
            case 22..<34: // place a hold with a random scope
                var hold = ModelHold(id: "")
                var request = HoldRequest(caseName: "case \(step)", reason: "property test")
                switch Int.random(in: 0..<4, using: &random) {
                case 0: hold.customers = [Self.customers.randomElement(using: &random)!]
                case 1: hold.numbers = [Self.numbers.randomElement(using: &random)!]
                case 2:
                    guard let item = before.keys.sorted().randomElement(using: &random) else { continue }
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
            case 34..<42: // release a hold (often one an erasure waits for): erasures waiting for it resume
                let waitedFor = holds.indices.filter { index in
                    holds[index].active && holds[index].covered.contains { id in pendingErasures.values.contains { before[id]?.customers.contains($0) == true } }
                }
                let candidates = !waitedFor.isEmpty && Int.random(in: 0..<4, using: &random) > 0 ? waitedFor : holds.indices.filter { holds[$0].active }
                guard let index = closing ? holds.firstIndex(where: \.active) : candidates.randomElement(using: &random) else { continue }
                _ = try archive.releaseHold(holds[index].id, reason: "case closed", actor: actor)
                holds[index].active = false
                released = holds[index].id
                log.append("release \(holds[index].id)")
            case 42..<48: // change the rules and apply them
                recordingPeriod = [RetentionPeriod(months: 1), RetentionPeriod(months: 12), RetentionPeriod(years: 2)].randomElement(using: &random)!
                trafficPeriod = [RetentionPeriod(years: 1), RetentionPeriod(years: 3)].randomElement(using: &random)!
                var configuration = archive.configuration
                configuration.retention.classes["recording"]!.period = recordingPeriod
                configuration.retention.classes["traffic-data"]!.period = trafficPeriod
                try configuration.rendered().write(to: root.appendingPathComponent("callvault.toml"), atomically: true, encoding: .utf8)
                archive = try Archive(root: root, now: clock.source)
                _ = try archive.applyRetention(actor: actor)
                log.append("rules recording \(recordingPeriod) traffic \(trafficPeriod)")
            case 48..<62: // expire at a later time
                clock.advance(days: Double(Int.random(in: 0...900, using: &random)))
                let expiry = try archive.expire(actor: actor)
                coverage.expired += expiry.deleted.total
                log.append("expire at \(clock.now)")
                let after = try snapshot(root)
                let nowSeconds = Int64(clock.now.timeIntervalSince1970)
                let frozen = Set(openRequests.filter { $0.type.freezesItems }.map(\.customer))
                    .union(freezeUntil.filter { $0.value > clock.now }.map(\.key))
                let restrictedNow = restricted.union(openRequests.filter { $0.type.restrictsUntilClosed }.map(\.customer))
                for row in before.values where row.retainUntil <= nowSeconds && after[row.id] != nil {
                    let current = after[row.id]!
                    guard current.retainUntil <= nowSeconds else { continue } // dated again meanwhile (a recording linked to its call)
                    let held = holds.contains { $0.active && $0.covered.contains(row.id) }
                    let isRestricted = !current.customers.isDisjoint(with: restrictedNow)
                    if held { coverage.keptByHold += 1 } else if isRestricted { coverage.keptByRestriction += 1 }
                    if !held && !isRestricted && current.customers.isDisjoint(with: frozen) {
                        fail("item \(row.id) is past its date, unheld, unrestricted and unfrozen, yet still stored after expiry")
                    }
                }
            case 62..<70: // erase a customer (often one whose items a hold keeps: the erasure waits for its release)
                let heldCustomers = Self.customers.filter { customer in
                    holds.contains { $0.active && $0.covered.contains { before[$0]?.customers.contains(customer) == true } }
                }
                let customer = (!heldCustomers.isEmpty && Int.random(in: 0..<4, using: &random) > 0 ? heldCustomers : Self.customers).randomElement(using: &random)!
                do {
                    let report = try archive.erase(customer: customer, reason: "request", actor: actor)
                    restricted.remove(customer)
                    log.append("erase \(customer) (\(report.completedAt == nil ? "waits for a hold" : "complete"))")
                    if report.completedAt == nil, let id = report.erasure {
                        pendingErasures[id] = customer
                        coverage.erasuresWaiting += 1
                    }
                    if report.completedAt != nil { scenario.erased.insert(customer) }
                    let after = try snapshot(root)
                    coverage.erased += before.count - after.count
                    for row in before.values where row.customers == [customer] && row.retentionClass == "recording" {
                        if after[row.id] != nil && !holds.contains(where: { $0.active && $0.covered.contains(row.id) }) {
                            fail("recording \(row.id) of only \(customer), erasable and unheld, survived the erasure")
                        }
                    }
                } catch let error as CallvaultError where error.kind == .notFound || error.kind == .refused {
                    log.append("erase \(customer) refused: \(error.message)")
                }
            case 70..<80: // correct a link by hand (rectification): link or unlink an item and a customer
                guard let item = before.keys.sorted().randomElement(using: &random) else { continue }
                let customer = Self.customers.randomElement(using: &random)!
                let linked = before[item]!.customers.contains(customer) ? false : Bool.random(using: &random)
                let id = ItemID(kind: ItemKind(rawValue: before[item]!.kind)!, number: item)
                do {
                    _ = try archive.setLink(id.description, customer: customer, linked: linked, reason: "wrong link", actor: actor)
                    // The correction covers the item and, for a call, the recordings the test made for it.
                    let recordings = scenario.facts.filter { $0.value.callUniqueID.flatMap { scenario.callIDs[$0] } == item }.map(\.key)
                    for target in [item] + (id.kind == .call ? recordings : []) {
                        scenario.overrides[target, default: [:]][customer] = linked
                    }
                    if !linked && holds.contains(where: { $0.active && $0.covered.contains(item) }) { coverage.heldAfterUnlink += 1 }
                    log.append("\(linked ? "link" : "unlink") \(id) \(customer)")
                } catch let error as CallvaultError where error.kind == .notFound || error.kind == .refused {
                    log.append("\(linked ? "link" : "unlink") \(id) \(customer) refused: \(error.message)")
                }
            case 80..<88: // reassign a number in the customers file: it moves to another customer
                let customer = Self.customers.filter { !scenario.erased.contains($0) }.randomElement(using: &random)
                guard let customer else { continue }
                let number = Self.numbers.randomElement(using: &random)!
                let moved = holds.contains { hold in hold.active && hold.covered.contains { scenario.customers(of: $0).contains(customer) } }
                // A customer being erased keeps the record of the request: the import leaves their line out.
                let frozen = Set(pendingErasures.values)
                if !frozen.contains(customer) {
                    for (other, owned) in scenario.numberOf where owned == number && !frozen.contains(other) { scenario.numberOf[other] = nil }
                    scenario.numberOf[customer] = number
                }
                let imported = try archive.importCustomers(from: folder.write("customers-\(step).csv", scenario.customersFile()), actor: actor)
                // The file lists every customer not erased yet (one erased before may be erased again: not listed).
                let listed = frozen.subtracting(scenario.erased)
                if imported.rejected.count != listed.count {
                    fail("the import left out \(imported.rejected.count) lines, not the \(listed.count) of customers being erased: \(imported.rejected)")
                }
                coverage.linesOfCustomersBeingErased += imported.rejected.count
                if moved { coverage.heldAfterReassignment += 1 }
                log.append("number \(number) to \(customer)\(frozen.contains(customer) ? " left out (being erased)" : "")")
            case 88..<94: // a data-subject request: an access request freezes, a rectification request restricts
                if let open = openRequests.indices.randomElement(using: &random), Bool.random(using: &random) {
                    let request = openRequests.remove(at: open)
                    let closed = try archive.closeRequest(request.id, outcome: "answered", actor: actor)
                    if let until = closed.freezeUntil { freezeUntil[request.customer] = max(freezeUntil[request.customer] ?? until, until) }
                    log.append("close \(request.id)")
                } else {
                    let customer = Self.customers.randomElement(using: &random)!
                    let type: DataSubjectRequest.RequestType = Bool.random(using: &random) ? .access : .rectification
                    do {
                        let request = try archive.openRequest(customer: customer, type: type, actor: actor)
                        openRequests.append((request.id, customer, type))
                        log.append("open \(type) \(request.id) for \(customer)")
                    } catch let error as CallvaultError where error.kind == .notFound || error.kind == .refused {
                        log.append("request of \(customer) refused: \(error.message)")
                    }
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
                } catch let error as CallvaultError where error.kind == .notFound || error.kind == .refused {
                    log.append("restriction of \(customer) refused: \(error.message)")
                }
            }
            let after = try snapshot(root)
            // Invariant 4: nothing an active hold covered before the step is gone after it.
            for hold in holds where hold.active {
                for id in hold.covered where before[id] != nil {
                    coverage.heldChecks += 1
                    if after[id] == nil {
                        coverage.heldDeleted += 1
                        fail("item \(id), covered by \(hold.id), is gone after step \(step)")
                    }
                }
            }
            // Erasures that waited for a hold and completed in this step (a release or an expiry run
            // resumes them) leave no erasable, unheld recording of their customer.
            for (erasure, customer) in pendingErasures {
                let report = try archive.erasureReport(erasure, actor: actor)
                guard report.completedAt != nil else { continue }
                pendingErasures[erasure] = nil
                scenario.erased.insert(customer)
                coverage.resumedErasures += 1
                for row in before.values where row.customers == [customer] && row.retentionClass == "recording" && after[row.id] != nil
                    && !holds.contains(where: { $0.active && $0.covered.contains(row.id) }) {
                    fail("recording \(row.id) of only \(customer) survived \(erasure), resumed \(released.map { "after \($0)" } ?? "by step \(step)")")
                }
            }
            // What each active hold covers now: everything it ever matched by the scenario's facts.
            for index in holds.indices where holds[index].active {
                for id in after.keys where scenario.matches(holds[index], id) { holds[index].covered.insert(id) }
                let listed = Set(try archive.hold(holds[index].id, actor: actor).items.map(\.number))
                let missing = holds[index].covered.filter { after[$0] != nil && !listed.contains($0) }
                if !missing.isEmpty { fail("\(holds[index].id) does not list items it covered: \(missing.sorted())") }
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
