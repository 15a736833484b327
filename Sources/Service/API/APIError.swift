import Analysis
import Cartography
import Export
import Foundation
import Hummingbird
import Pipeline

/// An API error: its status and a JSON body `{"error": message}`, the one error type routes throw.
public struct APIError: HTTPResponseError {
    public let status: HTTPResponse.Status
    public let message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    private struct Body: Encodable {
        let error: String
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try ContractEncoding.encoder(indented: false).encode(Body(error: message))
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Turns every error a route throws into an ``APIError``: the domain's errors by meaning,
/// Hummingbird's own by their status (a body over the limit is a 413), anything else a 500 that
/// is logged but not shown.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as MapError {
            throw APIError(error.code == .unknownDepartement ? .badRequest : .notFound, error.message)
        } catch let error as ExportError {
            throw APIError(.badRequest, error.message)
        } catch let error as PremisesError {
            throw APIError(error.code == .notFound ? .notFound : .badRequest, error.message)
        } catch let error as IngestionBusy {
            throw APIError(.conflict, error.description)
        } catch let error as HTTPResponseError {
            throw APIError(error.status, error.status.reasonPhrase)
        } catch {
            context.logger.error("API error", metadata: ["error": "\(error)"])
            throw APIError(.internalServerError, "internal error")
        }
    }
}
