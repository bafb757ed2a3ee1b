// One import point for the generated protobuf model, so callers never reach into gen/ paths.

export * from './gen/c1/connector/v2/annotation_trait_pb.js';
export * from './gen/c1/connector/v2/annotations_pb.js';
export * from './gen/c1/connector/v2/entitlement_pb.js';
export * from './gen/c1/connector/v2/grant_pb.js';
export * from './gen/c1/connector/v2/resource_pb.js';

import { createRegistry } from '@bufbuild/protobuf';
import {
  file_google_protobuf_any,
  file_google_protobuf_duration,
  file_google_protobuf_empty,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  file_google_protobuf_wrappers,
} from '@bufbuild/protobuf/wkt';
import { file_c1_connector_v2_annotation_trait } from './gen/c1/connector/v2/annotation_trait_pb.js';
import { file_c1_connector_v2_annotations } from './gen/c1/connector/v2/annotations_pb.js';
import { file_c1_connector_v2_grant } from './gen/c1/connector/v2/grant_pb.js';

/**
 * Every message of the model, for JSON output of the Any annotations rows carry, and protobuf's
 * well-known types, which connectors pack as annotations too (Segment's role ids are a Struct).
 */
export const messageRegistry = createRegistry(
  file_c1_connector_v2_annotation_trait,
  file_c1_connector_v2_annotations,
  file_c1_connector_v2_grant,
  file_google_protobuf_any,
  file_google_protobuf_duration,
  file_google_protobuf_empty,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  file_google_protobuf_wrappers,
);
