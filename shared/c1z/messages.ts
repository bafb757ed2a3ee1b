// One import point for the generated protobuf model, so callers never reach into gen/ paths.
export * from './gen/c1/connector/v2/resource_pb.js';
export * from './gen/c1/connector/v2/entitlement_pb.js';
export * from './gen/c1/connector/v2/grant_pb.js';
export * from './gen/c1/connector/v2/annotation_trait_pb.js';
export * from './gen/c1/connector/v2/annotations_pb.js';
