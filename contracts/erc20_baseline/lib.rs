//! A minimal ERC-20 token, used only as the baseline of the weights report: every Atelier
//! message's ref_time and proof_size is reported as a ratio to this contract's `transfer`,
//! measured on the same runtime in the same run. It is not deployed as part of a DAO.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

#[ink::contract]
mod erc20_baseline {
    use ink::storage::Mapping;

    /// The token's storage.
    #[ink(storage)]
    pub struct Erc20 {
        total_supply: u128,
        balances: Mapping<Address, u128>,
    }

    /// Errors of the token.
    #[derive(Debug, PartialEq, Eq)]
    #[ink::error]
    pub enum Error {
        /// The sender's balance is too low.
        InsufficientBalance,
        /// The receiver's balance would overflow.
        Overflow,
    }

    /// Tokens moved.
    #[ink(event)]
    pub struct Transfer {
        /// Sender.
        #[ink(topic)]
        from: Address,
        /// Receiver.
        #[ink(topic)]
        to: Address,
        /// Amount.
        value: u128,
    }

    impl Erc20 {
        /// Mints `total_supply` to the deployer.
        #[ink(constructor)]
        pub fn new(total_supply: u128) -> Self {
            let mut balances = Mapping::new();
            balances.insert(Self::env().caller(), &total_supply);
            Self {
                total_supply,
                balances,
            }
        }

        /// Balance of `owner`.
        #[ink(message)]
        pub fn balance_of(&self, owner: Address) -> u128 {
            self.balances.get(owner).unwrap_or(0)
        }

        /// Total supply.
        #[ink(message)]
        pub fn total_supply(&self) -> u128 {
            self.total_supply
        }

        /// Moves `value` from the caller to `to`.
        ///
        /// # Errors
        /// `InsufficientBalance`, `Overflow`.
        #[ink(message)]
        pub fn transfer(&mut self, to: Address, value: u128) -> Result<(), Error> {
            let from = self.env().caller();
            let new_from = self
                .balance_of(from)
                .checked_sub(value)
                .ok_or(Error::InsufficientBalance)?;
            self.balances.insert(from, &new_from);
            let new_to = self
                .balance_of(to)
                .checked_add(value)
                .ok_or(Error::Overflow)?;
            self.balances.insert(to, &new_to);
            self.env().emit_event(Transfer { from, to, value });
            Ok(())
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[ink::test]
        fn transfer_moves_balance_and_refuses_overdraft() {
            // given Alice holds the supply
            let accounts = ink::env::test::default_accounts();
            ink::env::test::set_caller(accounts.alice);
            let mut token = Erc20::new(100);
            // when she sends 40 to Bob
            assert_eq!(token.transfer(accounts.bob, 40), Ok(()));
            // then balances moved, and an overdraft is refused
            assert_eq!(token.balance_of(accounts.alice), 60);
            assert_eq!(token.balance_of(accounts.bob), 40);
            assert_eq!(token.total_supply(), 100);
            assert_eq!(
                token.transfer(accounts.bob, 61),
                Err(Error::InsufficientBalance)
            );
            assert_eq!(token.balance_of(accounts.alice), 60);
        }
    }
}
