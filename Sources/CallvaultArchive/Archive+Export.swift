public import Foundation
import CallvaultModel
import CallvaultPolicy
import CallvaultIndex
import CallvaultAudit
import CallvaultAccess
import CallvaultZIP
#if canImport(Glibc)
import Glibc
#endif

/// What an export wrote (CLI.md: `{"file", "items", "recordings"}` plus its size and SHA-256).
public struct ExportSummary: Sendable, Equatable, Codable {
    public var file: String
    /// Calls, SMS records and recordings in the package.
    public var items: Int
    public var recordings: Int
    public var calls: Int
    public var sms: Int
    public var consultations: Int
    public var bytes: Int64
    public var sha256: String
    public var portability: Bool
    public var request: String?
}

/// Which package to build.
public struct ExportOptions: Sendable {
    /// Only items kept on contract or consent, without consultations or internal data (R34, R35).
    public var portability = false
    /// Replace an existing file at the target path.
    public var overwrite = false
    /// The register's request the package answers (`req-N`).
    public var request: String?

    public init(portability: Bool = false, overwrite: Bool = false, request: String? = nil) {
        self.portability = portability
        self.overwrite = overwrite
        self.request = request
    }
}

extension Archive {
    /// Audit actions that read personal data: what the consultation history lists (R28 item 4).
    static let consultationActions = ["search", "show", "extract", "export", "playback", "play", "stream", "download"]

    /// Writes the access package (R28–R31) or, with `portability`, the portability package
    /// (R34, R35) of one customer as a ZIP at `url`: written to a temporary file in the target
    /// folder, fsynced, then moved into place (never over an existing file unless `overwrite`).
    /// Streams: recordings go out chunk by chunk from the blob store (each checked against its
    /// SHA-256), item files row by row from one index snapshot, so memory does not grow with
    /// the customer's data. Legal holds do not block inclusion (R31). One audit entry names
    /// the exported items (as ranges), the purpose and the file name.
    public func export(customer: String, to url: URL, purpose: String?, options: ExportOptions = ExportOptions(),
                       actor: Actor, progress: (String) -> Void = { _ in }) throws -> ExportSummary {
        let subject = "customer:\(customer.prefix(64))"
        try authorize(actor, .export, items: [subject])
        let purpose = try requirePurpose(purpose, actor: actor, action: "export", items: [subject])
        let (target, folder) = try exportTarget(url, overwrite: options.overwrite)
        let requestNumber = try options.request.map { id -> Int64 in
            guard let number = DataSubjectRequest.number(of: id) else {
                throw ArchiveFailure(.badInput, "--request '\(id.prefix(40))' is not a request id (req-N)")
            }
            return number
        }

        let temp = folder.appendingPathComponent(".\(target.lastPathComponent).\(UUID().uuidString).part")
        let fd = open(temp.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw ArchiveFailure(.badInput, "cannot create a file in \(folder.path): \(String(cString: strerror(errno)))")
        }
        var placed = false
        var closed = false
        defer {
            if !closed { close(fd) }
            if !placed { unlink(temp.path) }
        }
        let started = Date()
        let generatedAt = clock()
        let built: Built
        do {
            // One snapshot: the package shows the data as they stood at one moment.
            built = try index.read { reader in
                try self.writePackage(reader: reader, customer: customer, requestNumber: requestNumber, options: options,
                                      actor: actor, generatedAt: generatedAt, fd: fd, progress: progress)
            }
        } catch let failure as ExportRefusal {
            try auditExport(actor: actor, items: [subject], purpose: purpose, outcome: failure.outcome, reason: failure.reason)
            throw failure.error
        } catch let error as CallvaultError {
            try? auditExport(actor: actor, items: [subject], purpose: purpose, outcome: .failed, reason: error.kind.rawValue)
            throw error
        } catch let error as ZIPWriteError {
            let failure = ArchiveFailure(.internal, error.message)
            try? auditExport(actor: actor, items: [subject], purpose: purpose, outcome: .failed, reason: failure.kind.rawValue)
            throw failure
        }
        closed = true  // `place` closes it, whatever happens
        try place(temp, fd: fd, at: target, overwrite: options.overwrite)
        placed = true
        let summary = ExportSummary(
            file: target.path, items: built.calls + built.sms + built.recordings, recordings: built.recordings,
            calls: built.calls, sms: built.sms, consultations: built.consultations, bytes: built.bytes, sha256: built.sha256,
            portability: options.portability, request: options.request)
        do {
            try auditExported(summary, subject: subject, ids: built.exportedIDs, purpose: purpose, started: started, actor: actor)
        } catch {
            // An export nobody logged must not exist.
            unlink(target.path)
            throw error
        }
        return summary
    }

    /// The export's target file and its folder: the folder must exist, the target must not be a
    /// folder, nor an existing file unless `overwrite`.
    func exportTarget(_ url: URL, overwrite: Bool) throws -> (target: URL, folder: URL) {
        let target = url.standardizedFileURL
        let folder = target.deletingLastPathComponent()
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw ArchiveFailure(.badInput, "--out: the folder \(folder.path) does not exist; create it first")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: target.path, isDirectory: &isDirectory) {
            guard !isDirectory.boolValue else { throw ArchiveFailure(.badInput, "--out \(target.path) is a folder; name a file such as export.zip") }
            guard overwrite else {
                throw ArchiveFailure(.refused, "\(target.path) exists; choose another name or pass --force to replace it")
            }
        }
        return (target, folder)
    }

    /// Syncs and closes the written temporary file, then moves it into place (over an existing
    /// file only with `overwrite`) and syncs the folder.
    func place(_ temp: URL, fd: Int32, at target: URL, overwrite: Bool) throws {
        guard fsync(fd) == 0 else {
            close(fd)
            throw ArchiveFailure(.internal, "cannot sync \(temp.path): \(String(cString: strerror(errno)))")
        }
        close(fd)
        if overwrite {
            guard rename(temp.path, target.path) == 0 else {
                unlink(temp.path)
                throw ArchiveFailure(.badInput, "cannot write \(target.path): \(String(cString: strerror(errno)))")
            }
        } else {
            // link() fails if the target appeared meanwhile: an existing file is never replaced.
            defer { unlink(temp.path) }
            guard link(temp.path, target.path) == 0 else {
                let reason = errno == EEXIST ? "it exists; choose another name or pass --force" : String(cString: strerror(errno))
                throw ArchiveFailure(.refused, "cannot write \(target.path): \(reason)")
            }
        }
        let folderFD = open(target.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderFD >= 0 { fsync(folderFD); close(folderFD) }
    }

    /// The export's audit entry: the exported items (as ranges), the purpose, the file's name, size and hash.
    func auditExported(_ summary: ExportSummary, subject: String, ids: [String], purpose: String, started: Date, actor: Actor) throws {
        var details = ["file": URL(fileURLWithPath: summary.file).lastPathComponent, "kind": summary.portability ? "portability" : "access",
                       "items": String(summary.items), "recordings": String(summary.recordings),
                       "bytes": String(summary.bytes), "sha256": summary.sha256]
        if let request = summary.request { details["request"] = request }
        try index.write { writer in
            try writer.appendAudit(AuditEvent(
                actor: actor.name, role: actor.role, action: "export", items: [subject] + ids, purpose: purpose,
                details: details, durationMs: Int(Date().timeIntervalSince(started) * 1000), origin: actor.origin), at: clock())
        }
    }

    /// A refusal found inside the snapshot: audited, then thrown.
    struct ExportRefusal: Error {
        var outcome: AuditEntry.Outcome
        var reason: String
        var error: ArchiveFailure
    }

    struct Built {
        var calls = 0, sms = 0, recordings = 0, consultations = 0
        var bytes: Int64 = 0
        var sha256 = ""
        /// Exported item ids, runs written as ranges.
        var exportedIDs: [String] = []
    }

    func auditExport(actor: Actor, items: [String], purpose: String?, outcome: AuditEntry.Outcome, reason: String) throws {
        try index.write { writer in
            try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: "export", items: items, purpose: purpose,
                                              outcome: outcome, reason: reason, origin: actor.origin), at: clock())
        }
    }

    /// The package, written entry by entry; the manifest comes last because it lists the others' hashes.
    private func writePackage(reader: IndexReader, customer: String, requestNumber: Int64?, options: ExportOptions, actor: Actor,
                              generatedAt: Date, fd: Int32, progress: (String) -> Void) throws -> Built {
        let person = try exportableCustomer(customer, requestNumber: requestNumber, portability: options.portability,
                                            reader: reader, actor: actor)
        let package = ExportPackage(zip: StreamingZIPWriter(fileDescriptor: fd, modified: generatedAt), reader: reader,
                                    customer: customer, portability: options.portability, policy: configuration.retention)
        try package.addCustomer(person)
        try package.addItems(.call, name: "calls", columns: ExportDocuments.callColumns, progress: progress)
        try package.addItems(.sms, name: "sms", columns: ExportDocuments.smsColumns, progress: progress)
        try package.addRecordings(from: blobs, progress: progress)
        if !options.portability { try package.addConsultations(actions: Self.consultationActions) }

        // information.json and README.txt: the Art. 15(1)(a)–(h) and 15(2) information.
        let built = package.built
        let information = informationDocument(customer: customer, portability: options.portability, formats: package.formats,
                                               classCounts: package.classCounts, built: built)
        try package.addDocument("information.json", information)
        try package.addText("README.txt", readme(customer: customer, portability: options.portability, built: built,
                                                 information: information, generatedAt: generatedAt))
        return try package.finish(generatedAt: generatedAt, request: requestNumber)
    }

    /// The customer to export, once the request (if any) is theirs and of the package's kind,
    /// and the actor may see them (restricted data: the compliance role only).
    private func exportableCustomer(_ customer: String, requestNumber: Int64?, portability: Bool, reader: IndexReader,
                                    actor: Actor) throws -> ExportCustomer {
        guard let person = try reader.exportCustomer(customer) else {
            throw ExportRefusal(outcome: .failed, reason: "no such customer",
                                error: ArchiveFailure(.notFound, "no customer \(customer.prefix(64)): check the id"))
        }
        if let requestNumber {
            guard let request = try reader.request(requestNumber) else {
                throw ExportRefusal(outcome: .failed, reason: "no such request",
                                    error: ArchiveFailure(.notFound, "no request req-\(requestNumber) in the register"))
            }
            guard request.customer == customer else {
                throw ExportRefusal(outcome: .failed, reason: "request of another customer",
                                    error: ArchiveFailure(.badInput, "req-\(requestNumber) is a request of another customer, not \(customer)"))
            }
            let wanted: DataSubjectRequest.RequestType = portability ? .portability : .access
            guard request.type == wanted else {
                throw ExportRefusal(outcome: .failed, reason: "request type \(request.type.rawValue)",
                                    error: ArchiveFailure(.badInput, "req-\(requestNumber) is a\(request.type == .access ? "n" : "") \(request.type.rawValue) request; an \(portability ? "export --portability answers a portability" : "export answers an access") request"))
            }
        }
        let restricted = try !person.restrictions.isEmpty || reader.restrictedItemCount(ofCustomer: customer) > 0
        if restricted && !maySeeRestricted(actor) {
            throw ExportRefusal(outcome: .denied, reason: "customer restricted",
                                error: ArchiveFailure(.refused, "\(customer)'s processing is restricted: only the compliance role may export it (--role compliance)"))
        }
        return person
    }

    private func informationDocument(customer: String, portability: Bool, formats: Set<String>, classCounts: [String: Int],
                                     built: Built) -> [String: Any] {
        let policy = configuration.retention
        var categories: [String] = ["contact details: name and telephone numbers"]
        if built.calls > 0 { categories.append("call detail records (CDRs): time, numbers, duration, outcome, handling agent's extension") }
        if built.sms > 0 { categories.append("SMS identification records: time, numbers, delivery status (no message text)") }
        if built.recordings > 0 { categories.append("customer-service call recordings (audio)") }
        if !portability { categories.append("the log of when and why your data was consulted") }
        let retention: [[String: Any]] = classCounts.keys.sorted().map { name in
            guard let c = policy.classes[name] else {
                return ["class": name, "items": classCounts[name]!, "rule": "not classified yet"] as [String: Any]
            }
            return ["class": name, "items": classCounts[name]!, "description": c.description,
                    "legal_basis": c.legalBasis.rawValue, "period": c.period.description, "counted_from": c.from.rawValue,
                    "rule": c.from == .item ? "\(ExportDocuments.describe(c.period)) from the item's time"
                        : "\(ExportDocuments.describe(c.period)) after the customer relationship ends",
                    "per_item": "retain_until of each item in calls.json, sms.json and recordings.json (null: kept while the relationship lasts)"] as [String: Any]
        }
        var sources = formats.sorted().map(ExportDocuments.sourceDescription)
        sources.append("customer register: your name and numbers as recorded when you became a customer")
        return [
            "schema_version": ExportDocuments.schemaVersion,
            "customer": customer,
            "confirmation": "We process personal data about you: this package holds all of it that this archive stores.",
            "purposes": configuration.purposes,
            "categories": categories,
            "recipients": "none",
            "retention": retention,
            "rights": ExportDocuments.rights,
            "complaint": ExportDocuments.complaint,
            "sources": sources,
            "automated_decision_making": "none",
            "transfers_outside_eea": "none: the data is stored and processed in the EU/EEA only",
        ]
    }

    private func readme(customer: String, portability: Bool, built: Built, information: [String: Any], generatedAt: Date) -> String {
        let kind = portability ? "data portability (GDPR Art. 20)" : "access (GDPR Art. 15)"
        var text = """
            Your data: \(kind) package for customer \(customer)
            Generated \(ExportDocuments.time(generatedAt)) (UTC).

            We process personal data about you. This package holds all of it that our call archive stores:
              customer.json        your name and the numbers on file
              calls.json/.csv      \(built.calls) call detail records, every stored field (times in UTC)
              sms.json/.csv        \(built.sms) SMS identification records (the archive never stores message text)
              recordings/          \(built.recordings) call recordings, exact copies of the originals
              recordings.json      each recording's details and SHA-256 checksum

            """
        if !portability {
            text += """
                  consultations.json   \(built.consultations) times your data was looked at: when, what, why (staff shown by role)
                  information.json     the information below, machine-readable
                  manifest.json        size and SHA-256 of every file, to check the package is complete

                Why we process it: \(configuration.purposes.joined(separator: ", ")).
                Recipients: none. Transfers outside the EU/EEA: none. Automated decision-making: none.
                How long we keep it: each item's retain_until (null: while your customer relationship lasts, then the period
                of its class), and the rule in information.json.
                Your rights: access, rectification, erasure, restriction of processing, objection, data portability.
                You may complain to the Data Protection Ombudsman (tietosuojavaltuutettu), https://tietosuoja.fi,
                PL 800, 00531 Helsinki, Finland.

                """
        } else {
            text += """
                  manifest.json        size and SHA-256 of every file

                Only data processed on contract or consent is included. The JSON files follow the published schema
                (callvault export schema version \(ExportDocuments.schemaVersion)).

                """
        }
        return text
    }
}

/// Which of a customer's items an audit entry's `items` name: ids (`call-7`), ranges
/// (`call-3..call-9`, also `call-3..9`) or the customer itself (`customer:C001`).
enum ConsultationMatcher {
    static func match(_ ids: [String], customer: String, numbers: [ItemKind: [Int64]]) -> (customerNamed: Bool, items: [ItemID]) {
        var named = false
        var items: [ItemID] = []
        for id in ids {
            if id == "customer:\(customer)" { named = true; continue }
            if let range = id.range(of: "..") {
                guard let low = ItemID(String(id[..<range.lowerBound])) else { continue }
                let upperText = String(id[range.upperBound...])
                let high = ItemID(upperText)?.number ?? Int64(upperText)
                guard let high, high >= low.number, let owned = numbers[low.kind] else { continue }
                var index = lowerBound(owned, low.number)
                while index < owned.count && owned[index] <= high {
                    items.append(ItemID(kind: low.kind, number: owned[index]))
                    index += 1
                }
            } else if let item = ItemID(id), let owned = numbers[item.kind] {
                let index = lowerBound(owned, item.number)
                if index < owned.count && owned[index] == item.number { items.append(item) }
            }
        }
        return (named, items)
    }

    static func lowerBound(_ sorted: [Int64], _ value: Int64) -> Int {
        var low = 0, high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
