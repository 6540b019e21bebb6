// Bridges protobuf-es v2 service descriptors to grpc-js: the generated descriptors know every
// method's path, streaming kind and message schemas, so the grpc-js ServiceDefinition (and a
// client constructor) is derived from them instead of being written by hand.

import type { DescMessage, DescMethod, DescService, MessageShape } from '@bufbuild/protobuf';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import type * as grpc from '@grpc/grpc-js';

function serializer(schema: DescMessage): (message: MessageShape<DescMessage>) => Buffer {
  return (message) => {
    const bytes = toBinary(schema, message);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

function deserializer(schema: DescMessage): (bytes: Buffer) => MessageShape<DescMessage> {
  return (bytes) => fromBinary(schema, bytes);
}

function methodDefinition(service: DescService, method: DescMethod): grpc.MethodDefinition<unknown, unknown> {
  const requestStream = method.methodKind === 'client_streaming' || method.methodKind === 'bidi_streaming';
  const responseStream = method.methodKind === 'server_streaming' || method.methodKind === 'bidi_streaming';
  return {
    path: `/${service.typeName}/${method.name}`,
    originalName: method.name,
    requestStream,
    responseStream,
    requestSerialize: serializer(method.input) as (value: unknown) => Buffer,
    requestDeserialize: deserializer(method.input),
    responseSerialize: serializer(method.output) as (value: unknown) => Buffer,
    responseDeserialize: deserializer(method.output),
  };
}

/** The grpc-js ServiceDefinition of a generated service, keyed by the methods' local names. */
export function serviceDefinition(service: DescService): grpc.ServiceDefinition {
  const definition: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const method of service.methods) definition[method.localName] = methodDefinition(service, method);
  return definition as grpc.ServiceDefinition;
}

/** Full method names (`/hyperscale.v1.GateService/SubmitJob`) of a service. */
export function methodPaths(service: DescService): string[] {
  return service.methods.map((m) => `/${service.typeName}/${m.name}`);
}
