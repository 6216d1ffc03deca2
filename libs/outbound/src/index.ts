export * from './address-policy';
export * from './checked-address';
