import GridbookCore
import Hummingbird

// What handlers answer, encoded by the request context's one JSON encoder.
extension Page: ResponseEncodable {}
extension UnitDetail: ResponseEncodable {}
extension HouseholdView: ResponseEncodable {}
extension HouseholdDetail: ResponseEncodable {}
extension LoggedVisit: ResponseEncodable {}
extension Risk: ResponseEncodable {}
extension RiskDetail: ResponseEncodable {}
extension DisputeCase: ResponseEncodable {}
extension CaseDetail: ResponseEncodable {}
extension CoverageReport: ResponseEncodable {}
extension PairingReport: ResponseEncodable {}
extension CaseReport: ResponseEncodable {}
extension UnitRanking: ResponseEncodable {}
