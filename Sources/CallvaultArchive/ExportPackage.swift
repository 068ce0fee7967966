import Foundation
import CallvaultModel
import CallvaultPolicy
import CallvaultIndex
import CallvaultAudit
import CallvaultBlobStore
import CallvaultZIP

/// One access or portability package being written (R28–R35): its entries go into the ZIP one
/// by one, streamed from one index snapshot, while it counts what it wrote and keeps each
/// entry's size and hash for the manifest, which comes last.
final class ExportPackage {
    let zip: StreamingZIPWriter
    let reader: IndexReader
    let customer: String
    /// Only items kept on contract or consent, without internal data or consultations (R34, R35).
    let portability: Bool
    let policy: RetentionPolicy

    private(set) var files: [ZIPEntrySummary] = []
    private(set) var built = Archive.Built()
    private(set) var exported: [ItemID] = []
    private(set) var formats: Set<String> = []
    private(set) var classCounts: [String: Int] = [:]

    init(zip: StreamingZIPWriter, reader: IndexReader, customer: String, portability: Bool, policy: RetentionPolicy) {
        self.zip = zip
        self.reader = reader
        self.customer = customer
        self.portability = portability
        self.policy = policy
    }

    /// Whether a row goes into the package: every row, or for portability those kept on contract or consent.
    func included(_ row: ExportRow) -> Bool {
        guard portability else { return true }
        guard let basis = row.retentionClass.flatMap({ policy.classes[$0] })?.legalBasis else { return false }
        return basis == .contract || basis == .consent
    }

    /// Counts an exported item into the ids, formats and classes the package reports.
    private func note(_ row: ExportRow) {
        exported.append(row.id)
        formats.insert(row.sourceFormat)
        classCounts[row.retentionClass ?? "unclassified", default: 0] += 1
    }

    /// `customer.json`: the person, their numbers and (access package) their restrictions.
    func addCustomer(_ person: ExportCustomer) throws {
        var document: [String: Any] = [
            "schema_version": ExportDocuments.schemaVersion,
            "id": person.id, "name": person.name,
            "numbers": person.numbers.map { ["raw": $0.raw, "e164": $0.e164] },
            "relationship_ended": ExportDocuments.time(person.relationshipEnded),
        ]
        if !portability {
            document["restricted"] = !person.restrictions.isEmpty
            document["restrictions"] = person.restrictions.map {
                ["reason": $0.reason, "since": ExportDocuments.time($0.since),
                 "request": $0.request.map { "req-\($0)" } as Any? ?? NSNull()] as [String: Any]
            }
        }
        try addDocument("customer.json", document)
    }

    /// `NAME.json` and `NAME.csv` of the customer's calls or SMS records, each a pass over one cursor.
    func addItems(_ kind: ItemKind, name: String, columns: [String], progress: (String) -> Void) throws {
        var count = 0
        let shape: (ExportRow) -> [String: Any] = { [policy, portability] row in
            let item = kind == .call ? ExportDocuments.call(row, policy: policy) : ExportDocuments.sms(row, policy: policy)
            return portability ? ExportDocuments.forPortability(item) : item
        }
        files.append(try zip.addEntry("\(name).json", method: .deflated) {
            try zip.write("{\"schema_version\":\"\(ExportDocuments.schemaVersion)\",\"customer\":\(ExportDocuments.json(customer)),\"\(name)\":[")
            try reader.forEachExportRow(ofCustomer: customer, kind: kind) { row in
                guard included(row) else { return }
                try zip.write((count == 0 ? "\n" : ",\n") + ExportDocuments.json(shape(row)))
                count += 1
                note(row)
                if count % 5_000 == 0 { progress("\(name): \(count)") }
            }
            try zip.write("\n]}\n")
        })
        let csvColumns = portability ? columns.filter { !ExportDocuments.internalFields.contains($0) } : columns
        files.append(try zip.addEntry("\(name).csv", method: .deflated) {
            try zip.write(ExportDocuments.csvLine(csvColumns))
            try reader.forEachExportRow(ofCustomer: customer, kind: kind) { row in
                guard included(row) else { return }
                try zip.write(ExportDocuments.csvLine(shape(row), columns: csvColumns))
            }
        })
        if kind == .call { built.calls = count } else { built.sms = count }
    }

    /// `recordings/…`: the original bytes, each checked against its SHA-256 while it streams
    /// out; then `recordings.json` with their metadata.
    func addRecordings(from blobs: any BlobStore, progress: (String) -> Void) throws {
        var documents: [[String: Any]] = []
        try reader.forEachExportRow(ofCustomer: customer, kind: .recording) { row in
            guard included(row), let blob = row.blob else { return }
            let path = "recordings/\(row.id)-\(ExportDocuments.sanitisedFileName(blob.fileName))"
            let entry = try zip.addEntry(path, method: .stored) {
                try blobs.read(blob.sha256, range: nil) { chunk in try zip.write(chunk) }
            }
            guard entry.sha256 == blob.sha256, entry.bytes == blob.bytes else {
                throw ArchiveFailure(.corrupt, "\(row.id): the exported copy does not match its SHA-256; run `callvault verify`")
            }
            files.append(entry)
            var document = ExportDocuments.recording(row, file: path, policy: policy)
            if portability { document = ExportDocuments.forPortability(document) }
            // A recording's metadata list is one entry per recording: small next to the audio.
            documents.append(document)
            built.recordings += 1
            note(row)
            progress("recordings: \(built.recordings)")
        }
        try addDocument("recordings.json", ["schema_version": ExportDocuments.schemaVersion, "customer": customer,
                                            "recordings": documents] as [String: Any])
    }

    /// `consultations.json`: when and why this customer's data was read, by role, not by name.
    func addConsultations(actions: [String]) throws {
        let numbers = try reader.itemNumbers(ofCustomer: customer)
        files.append(try zip.addEntry("consultations.json", method: .deflated) {
            try zip.write("{\"schema_version\":\"\(ExportDocuments.schemaVersion)\",\"customer\":\(ExportDocuments.json(customer)),\"staff_identities\":\"replaced by role labels\",\"consultations\":[")
            try reader.forEachConsultationCandidate(actions: actions) { entry in
                let matched = ConsultationMatcher.match(entry.items, customer: customer, numbers: numbers)
                guard matched.customerNamed || !matched.items.isEmpty else { return }
                let document: [String: Any] = [
                    "time": ExportDocuments.time(entry.time), "action": entry.action,
                    "purpose": ExportDocuments.value(entry.purpose),
                    "role": ExportDocuments.roleLabel(role: entry.role, actor: entry.actor),
                    "items": AuditChain.compress(matched.items.map(\.description)),
                ]
                try zip.write((built.consultations == 0 ? "\n" : ",\n") + ExportDocuments.json(document))
                built.consultations += 1
            }
            try zip.write("\n]}\n")
        })
    }

    /// A JSON document entry, pretty-printed.
    func addDocument(_ name: String, _ document: Any) throws {
        files.append(try zip.addEntry(name, method: .deflated) { try zip.write(ExportDocuments.prettyJSON(document)) })
    }

    /// A text entry.
    func addText(_ name: String, _ text: String) throws {
        files.append(try zip.addEntry(name, method: .deflated) { try zip.write(text) })
    }

    /// Writes `manifest.json` (every other entry's size and SHA-256) and closes the ZIP.
    /// - Returns: the counts, the package's size and SHA-256, and the exported ids as ranges.
    func finish(generatedAt: Date, request: Int64?) throws -> Archive.Built {
        let manifest: [String: Any] = [
            "schema_version": ExportDocuments.schemaVersion,
            "schema": "https://callvault.invalid/export-schema/v\(ExportDocuments.schemaVersion) (docs/export-schema.json)",
            "kind": portability ? "portability" : "access",
            "generated_at": ExportDocuments.time(generatedAt),
            "customer": customer,
            "request": request.map { "req-\($0)" } as Any? ?? NSNull(),
            "counts": ["calls": built.calls, "sms": built.sms, "recordings": built.recordings, "consultations": built.consultations],
            "files": files.map { ["path": $0.name, "bytes": $0.bytes, "sha256": $0.sha256] as [String: Any] },
        ]
        try zip.addEntry("manifest.json", method: .deflated) { try zip.write(ExportDocuments.prettyJSON(manifest)) }
        let (bytes, sha256) = try zip.finish()
        built.bytes = bytes
        built.sha256 = sha256
        built.exportedIDs = AuditChain.compress(exported.sorted { $0.number < $1.number }.map(\.description))
        return built
    }
}
