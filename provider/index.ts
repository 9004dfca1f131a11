export { EPostError, errorCode } from "./errors";
export type { EPostErrorCode, FieldFailure } from "./errors";
export type { Layout } from "./layout";
export type { EPostConnection, SmbConnection, SshConnection } from "./transport/connection";
export type {
  EPostCommonArgs,
  EPostConnectionArgs,
  EPostLayoutArgs,
  EPostSmbConnectionArgs,
  EPostSshConnectionArgs,
} from "./resources/common";
export { EPostAlias, epostAliasProvider } from "./resources/epostAlias";
export type { EPostAliasArgs } from "./resources/epostAlias";
export { EPostGatewayRoute, epostGatewayRouteProvider } from "./resources/epostGatewayRoute";
export type { EPostGatewayAuthArgs, EPostGatewayRouteArgs } from "./resources/epostGatewayRoute";
export { EPostRelayTrust, epostRelayTrustProvider } from "./resources/epostRelayTrust";
export type { EPostRelayTrustArgs } from "./resources/epostRelayTrust";
export { EPostHostsEntry, epostHostsEntryProvider } from "./resources/epostHostsEntry";
export type { EPostHostsEntryArgs } from "./resources/epostHostsEntry";
export { EPostServiceRestart, epostServiceRestartProvider } from "./resources/epostServiceRestart";
export type { EPostServiceRestartArgs } from "./resources/epostServiceRestart";
export type { ExoCommonArgs, ExoConnectionArgs } from "./resources/exoCommon";
export * from "./resources/exoResources";
