// The part of a CRD's structural OpenAPI v3 schema (apiextensions.k8s.io/v1 JSONSchemaProps) that
// src/ reads. Pure types.

export interface OpenApiSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean'
  format?: string
  properties?: Readonly<Record<string, OpenApiSchema>>
  required?: readonly string[]
  items?: OpenApiSchema
  additionalProperties?: OpenApiSchema | boolean
  enum?: readonly unknown[]
  minimum?: number
  maximum?: number
  minLength?: number
  maxLength?: number
  pattern?: string
  minItems?: number
  maxItems?: number
  minProperties?: number
  maxProperties?: number
  exclusiveMinimum?: boolean
  exclusiveMaximum?: boolean
  multipleOf?: number
  nullable?: boolean
  default?: unknown
  'x-kubernetes-preserve-unknown-fields'?: boolean
  'x-kubernetes-map-type'?: string
  'x-kubernetes-list-type'?: string
  'x-kubernetes-list-map-keys'?: readonly string[]
  'x-kubernetes-int-or-string'?: boolean
  'x-kubernetes-embedded-resource'?: boolean
  'x-kubernetes-validations'?: readonly { rule: string; message?: string; messageExpression?: string }[]
}
