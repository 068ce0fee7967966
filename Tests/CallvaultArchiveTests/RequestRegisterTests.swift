import Foundation
import Testing
import CallvaultArchive
import CallvaultModel
import CallvaultTesting

/// The data-subject request register (R38): one-month due dates, overdue, auto-restriction of
/// erasure and rectification requests (R24), the freeze of access requests (R30).
@Suite struct RequestRegisterTests {
    static let handler = Actor.test("carla", .compliance)

    /// The sample archive, opened with a clock the test controls.
    func loaded(at start: String = "2026-11-01T12:00:00Z") throws -> (TestArchive, Archive, TestClock) {
        let clock = TestClock(try Date.ISO8601FormatStyle().parse(start))
        let fixture = try TestArchive.withSamples(clock: clock)
        return (fixture, fixture.archive, clock)
    }

    func helsinki(_ text: String) throws -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Helsinki")!
        let parts = text.split(separator: "-").map { Int($0)! }
        return try #require(calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2], hour: 10)))
    }

    @Test func dueIsOneCalendarMonthLaterInTheArchivesZone() throws {
        let (_, archive, _) = try loaded()
        let cases = [("2026-01-31", "2026-02-28"), ("2024-01-31", "2024-02-29"), ("2026-03-15", "2026-04-15"), ("2026-10-20", "2026-11-20")]
        for (received, due) in cases {
            let request = try archive.openRequest(customer: "C001", type: .rectification, received: try helsinki(received), actor: Self.handler)
            #expect(request.due == (try helsinki(due)), "\(received) → \(due)")
        }
        #expect(throws: (any Error).self) {
            _ = try archive.openRequest(customer: "C001", type: .access, received: Date().addingTimeInterval(86_400 * 400), actor: Self.handler)
        }
    }

    @Test func overdueFollowsTheClockUntilClosed() throws {
        let (_, archive, clock) = try loaded()
        let request = try archive.openRequest(customer: "C002", type: .access, actor: Self.handler)
        #expect(request.id == "req-1")
        #expect(try archive.requests(actor: Self.handler).map { $0.isOverdue(at: clock.now) } == [false])
        clock.advance(days: 31)
        #expect(try archive.requests(actor: Self.handler).map { $0.isOverdue(at: archive.currentTime) } == [true])
        let closed = try archive.closeRequest(request.id, outcome: "package delivered", actor: Self.handler)
        #expect(closed.closed == clock.now && !closed.isOverdue(at: clock.now))
        #expect(try archive.requests(actor: Self.handler).isEmpty, "closed requests are listed with --all only")
        #expect(try archive.requests(includeClosed: true, actor: Self.handler).map(\.outcome) == ["package delivered"])
        #expect(throws: (any Error).self) { _ = try archive.closeRequest(request.id, actor: Self.handler) }
        #expect(throws: (any Error).self) { _ = try archive.closeRequest("req-99", actor: Self.handler) }
        #expect(throws: (any Error).self) { _ = try archive.openRequest(customer: "C999", type: .access, actor: Self.handler) }
    }

    @Test func erasureAndRectificationRestrictTheCustomerUntilClosed() throws {
        let (fixture, archive, _) = try loaded()
        for type in [DataSubjectRequest.RequestType.erasure, .rectification] {
            let request = try archive.openRequest(customer: "C001", type: type, actor: Self.handler)
            let row = try fixture.sql("SELECT reason || '|' || placed_by FROM restrictions WHERE request_id = \(request.number) AND lifted_at IS NULL")
            #expect(row == "request \(request.id) (\(type.rawValue)) pending|carla")
            let items = try archive.search(SearchQuery(customer: "C001", limit: 100), actor: Self.handler).items
            #expect(!items.isEmpty && items.allSatisfy(\.restricted))
            // The request, its restriction and the audit entry were written together.
            #expect(try fixture.sql("SELECT count(*) FROM audit_log WHERE action = 'request-open' AND items LIKE '%\(request.id)%'") == "1")
            _ = try archive.closeRequest(request.id, outcome: "decided", actor: Self.handler)
            #expect(try fixture.sql("SELECT count(*) FROM restrictions WHERE request_id = \(request.number) AND lifted_at IS NOT NULL AND lifted_by = 'carla'") == "1")
            let after = try archive.search(SearchQuery(customer: "C001", limit: 100), actor: Self.handler).items
            #expect(after.allSatisfy { !$0.restricted })
        }
        // Access does not restrict.
        _ = try archive.openRequest(customer: "C001", type: .access, actor: Self.handler)
        #expect(try fixture.sql("SELECT count(*) FROM restrictions WHERE lifted_at IS NULL") == "0")
        #expect(try fixture.sql("SELECT count(*) FROM audit_log WHERE action LIKE 'request%' AND (items LIKE '%Mäkinen%' OR details LIKE '%+358%')") == "0")
    }

    @Test func anAccessRequestFreezesItemsFromExpiryUntil30DaysAfterTheAnswer() throws {
        let (fixture, archive, clock) = try loaded()
        let recording = try #require(try archive.search(SearchQuery(customer: "C001", kind: .recording, limit: 1), actor: Self.handler).items.first)
        // The recording falls due tomorrow.
        try fixture.sql("UPDATE items SET retain_until = \(Int64(clock.now.timeIntervalSince1970) + 86_400) WHERE id = \(recording.id.number)")
        let request = try archive.openRequest(customer: "C001", type: .access, actor: Self.handler)
        clock.advance(days: 5)
        let first = try archive.expire()
        #expect(first.frozen >= 1)
        #expect(try fixture.sql("SELECT count(*) FROM items WHERE id = \(recording.id.number)") == "1", "frozen while the request is open")
        let closed = try archive.closeRequest(request.id, outcome: "delivered", actor: Self.handler)
        #expect(closed.freezeUntil == clock.now.addingTimeInterval(30 * 86_400))
        clock.advance(days: 29)
        _ = try archive.expire()
        #expect(try fixture.sql("SELECT count(*) FROM items WHERE id = \(recording.id.number)") == "1", "still frozen 29 days after the answer")
        clock.advance(days: 2)
        _ = try archive.expire()
        #expect(try fixture.sql("SELECT count(*) FROM items WHERE id = \(recording.id.number)") == "0", "expires once the freeze ends")
    }
}
