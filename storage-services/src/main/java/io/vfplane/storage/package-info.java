/**
 * Not built yet. Will hold the storage gateway services that run beside the dataplane. Nothing here works yet.
 */
package io.vfplane.storage;
